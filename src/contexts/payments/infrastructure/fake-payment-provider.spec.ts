import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyUnavailable } from '../../../event-sourcing/index.js';
import {
  providerKeysOf,
  type PaymentCharge,
  type PaymentRefund,
  type ProviderOperation,
  type ProviderRequest,
} from '../application/payment-provider.js';
import type { ProviderCallback } from '../application/provider-callback.js';
import {
  fakeAnswerTo,
  FakePaymentProvider,
  PROVIDER_REDELIVERIES,
  redeliveryDelayMs,
} from './fake-payment-provider.js';

type About = Partial<Pick<PaymentCharge, 'practiceId' | 'paymentId' | 'amount'>>;

/** A request about a payment, with the keys `ProviderCharges` gives it. */
const about = (operation: ProviderOperation, { practiceId = 'practice-harbour', paymentId = 'payment-0001', amount = 5000 }: About) => ({
  practiceId,
  paymentId,
  ...providerKeysOf(practiceId, paymentId, operation),
  amount,
  currency: 'EUR',
});
const charge = (overrides: About = {}): PaymentCharge => about('charge', overrides);
const cancellation = (overrides: About = {}): ProviderRequest => about('cancel', overrides);
const refund = (overrides: About = {}): PaymentRefund => ({ ...about('refund', overrides), providerReference: 'ch_late' });
const REFUNDED = { outcome: 'refunded', refundReference: 'fake_refund_payment-0001' };

const CAPTURED = { outcome: 'captured', providerReference: 'fake_payment-0001' };

/** Polls `done` for up to 5 s: deliveries run on timers, and a loaded machine runs them late. */
const eventually = async (done: () => boolean): Promise<void> => {
  for (const deadline = Date.now() + 5_000; !done(); await sleep(5)) {
    if (Date.now() > deadline) throw new Error('not within 5 s');
  }
};

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
    let delivered: [ProviderRequest, ProviderCallback][];
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

    it('never answers a charge cancelled before its answer was due, nor one charged after the cancellation', async () => {
      provider.charge(charge());
      provider.cancel(cancellation());
      provider.cancel(cancellation({ paymentId: 'payment-0002' }));
      provider.charge(charge({ paymentId: 'payment-0002' }));
      await sleep(DELAY_MS * 5);
      expect(delivered).toEqual([]);
    });

    it('cancels only the charge of that practice', async () => {
      provider.charge(charge({ practiceId: 'practice-other' }));
      provider.cancel(cancellation());
      await sleep(DELAY_MS * 5);
      expect(delivered.map(([c]) => c.practiceId)).toEqual(['practice-other']);
    });

    it('refunds a capture once however often it is asked, also of a cancelled charge (the capture won the race)', async () => {
      provider.cancel(cancellation());
      provider.refund(refund());
      provider.refund(refund());
      await sleep(DELAY_MS * 5);
      expect(delivered).toEqual([[refund(), REFUNDED]]);
    });

    it('drops answers not yet due when the app stops, and refuses new charges so they are asked again', async () => {
      provider.charge(charge());
      await provider.beforeApplicationShutdown();
      await sleep(DELAY_MS * 5);
      expect(delivered).toEqual([]);
      // As a dependency down: the worker waits and asks again, never dead-letters the request (nor stops the subscription).
      for (const ask of [() => provider.charge(charge({ paymentId: 'payment-0002' })), () => provider.cancel(cancellation()), () => provider.refund(refund())]) {
        expect(ask).toThrow(DependencyUnavailable);
      }
    });
  });

  describe('an answer its callback did not take (a fault, not a refusal)', () => {
    const REDELIVERIES = { deliveries: 3, firstDelayMs: 5, maxDelayMs: 10 };
    let deliveries: number;
    let takenFrom: number;
    let provider: FakePaymentProvider;
    let logged: { warn: jest.Spied<Logger['warn']>; error: jest.Spied<Logger['error']> };

    beforeEach(() => {
      deliveries = 0;
      takenFrom = Infinity;
      // Fails until the `takenFrom`-th delivery, as a callback whose database is away.
      const deliver = async () => {
        deliveries++;
        if (deliveries < takenFrom) throw new Error('canceling statement due to statement timeout');
      };
      provider = new FakePaymentProvider(deliver, 1, REDELIVERIES);
      logged = {
        warn: jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined),
        error: jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined),
      };
    });
    afterEach(async () => {
      await provider.beforeApplicationShutdown();
      jest.restoreAllMocks();
    });

    it('is delivered again until it is taken, then no more', async () => {
      takenFrom = 3;
      provider.charge(charge());

      await eventually(() => deliveries === 3);
      await sleep(REDELIVERIES.maxDelayMs * 5);

      expect(deliveries).toBe(3);
      expect(logged.warn).toHaveBeenCalledWith(expect.stringContaining('not recorded (delivery 1 of 3)'));
      expect(logged.error).not.toHaveBeenCalled();
    });

    it('is given up after the last delivery, logged as an error, and charged afresh when asked again', async () => {
      provider.charge(charge());
      await eventually(() => logged.error.mock.calls.length === 1);
      expect(deliveries).toBe(3);
      const givenUp = expect.stringContaining('payment-0001 not recorded after 3 deliveries');
      expect(logged.error).toHaveBeenCalledWith(givenUp);

      takenFrom = 4;
      provider.charge(charge()); // a replay of payment-charges
      await eventually(() => deliveries === 4);
    });

    it('is not delivered again once the app stops', async () => {
      provider.charge(charge());
      await eventually(() => deliveries === 1);
      await provider.beforeApplicationShutdown();
      await sleep(REDELIVERIES.maxDelayMs * 5);

      expect(deliveries).toBe(1);
    });
  });

  describe('its redelivery schedule', () => {
    it('doubles the wait from 250 ms up to 30 s', () =>
      expect([1, 2, 3, 8, 9, 19].map((delivery) => redeliveryDelayMs(PROVIDER_REDELIVERIES, delivery))).toEqual([
        250, 500, 1000, 30_000, 30_000, 30_000,
      ]));
  });
});
