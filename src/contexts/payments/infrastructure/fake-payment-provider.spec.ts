import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentCharge } from '../application/payment-provider.js';
import type { ProviderCallback } from '../application/provider-callback.js';
import { fakeAnswerTo, FakePaymentProvider } from './fake-payment-provider.js';

const charge = (overrides: Partial<PaymentCharge> = {}): PaymentCharge => ({
  practiceId: 'practice-harbour',
  paymentId: 'payment-0001',
  amount: 5000,
  currency: 'EUR',
  ...overrides,
});

const CAPTURED = { outcome: 'captured', providerReference: 'fake_payment-0001' };

describe('the fake payment provider', () => {
  describe('its answer, from the amount', () => {
    it.each([5000, 1, 99, 130, 1420, 4214])('captures %p under a reference derived from the payment id', (amount) =>
      expect(fakeAnswerTo(charge({ amount }))).toEqual(CAPTURED));

    it.each([13, 1013, 99913])('declines %p (ends in 13)', (amount) =>
      expect(fakeAnswerTo(charge({ amount }))).toEqual({
        outcome: 'failed',
        reason: expect.stringContaining('declined'),
      }));

    it.each([42, 1042])('never answers %p (ends in 42)', (amount) =>
      expect(fakeAnswerTo(charge({ amount }))).toBeNull());
  });

  describe('its callbacks', () => {
    const DELAY_MS = 20;
    let delivered: [PaymentCharge, ProviderCallback][];
    let provider: FakePaymentProvider;

    beforeEach(() => {
      delivered = [];
      provider = new FakePaymentProvider(async (c, answer) => void delivered.push([c, answer]), DELAY_MS);
    });
    afterEach(() => provider.beforeApplicationShutdown());

    it('answers after the delay, not before', async () => {
      provider.charge(charge());
      expect(delivered).toEqual([]);
      await sleep(DELAY_MS * 5);
      expect(delivered).toEqual([[charge(), CAPTURED]]);
    });

    it('charges a payment once however often it is asked', async () => {
      provider.charge(charge());
      provider.charge(charge());
      await sleep(DELAY_MS * 5);
      provider.charge(charge());
      await sleep(DELAY_MS * 5);
      expect(delivered).toHaveLength(1);
    });

    it('tells apart payments of the same id in two practices', async () => {
      provider.charge(charge());
      provider.charge(charge({ practiceId: 'practice-other' }));
      await sleep(DELAY_MS * 5);
      expect(delivered.map(([c]) => c.practiceId).sort()).toEqual(['practice-harbour', 'practice-other']);
    });

    it('drops answers not yet due when the app stops, and refuses new charges so they are asked again', async () => {
      provider.charge(charge());
      await provider.beforeApplicationShutdown();
      await sleep(DELAY_MS * 5);
      expect(delivered).toEqual([]);
      expect(() => provider.charge(charge({ paymentId: 'payment-0002' }))).toThrow(/stopped/);
    });
  });
});
