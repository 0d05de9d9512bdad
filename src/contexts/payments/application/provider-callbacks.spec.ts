import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { inMemoryAggregates } from '../../../event-sourcing/testing/index.js';
import { PAYMENT_ID, PRACTICE_ID, requestPayment, voidPayment } from '../domain/payment.fixtures.js';
import { payments } from '../payment.aggregate.js';
import { providerKeysOf, type PaymentCharge } from './payment-provider.js';
import { ProviderCallbacks } from './provider-callbacks.js';

const CHARGE: PaymentCharge = {
  practiceId: PRACTICE_ID,
  paymentId: PAYMENT_ID,
  ...providerKeysOf(PRACTICE_ID, PAYMENT_ID, 'charge'),
  amount: 5000,
  currency: 'EUR',
};
const CAPTURED = { outcome: 'captured', providerReference: 'ch_0001' } as const;
const FAILED = { outcome: 'failed', reason: 'card declined' } as const;

/** A provider's answer recorded in-process: taken when recorded or refused, delivered again on anything else. */
describe('recording a provider answer in-process', () => {
  let aggregates: ReturnType<typeof inMemoryAggregates>;
  let callbacks: ProviderCallbacks;
  const stream = payments.streamOf(PRACTICE_ID, PAYMENT_ID);
  const statusOf = async () => (await aggregates.repository.load(payments, stream)).state.status;

  beforeEach(async () => {
    aggregates = inMemoryAggregates(payments);
    callbacks = new ProviderCallbacks(aggregates.repository);
    await aggregates.repository.execute(payments, requestPayment());
  });

  it('records a capture as the provider', async () => {
    await callbacks.record(CHARGE, CAPTURED);

    expect(await statusOf()).toBe('captured');
    const events = await aggregates.store.readStream(stream);
    expect(events.at(-1)?.metadata.actor).toEqual({ type: 'system', id: 'payment-provider' });
  });

  it('records a capture after the void (the money was taken): owed back, then refunded on the confirmation', async () => {
    await aggregates.repository.execute(payments, voidPayment());

    await callbacks.record(CHARGE, CAPTURED);
    expect(await statusOf()).toBe('refund_due');

    await callbacks.record(CHARGE, { outcome: 'refunded', refundReference: 're_0001' });
    expect(await statusOf()).toBe('refunded');
  });

  it('takes a refusal as the answer: resolves, logs it, records nothing', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await aggregates.repository.execute(payments, voidPayment());

      await expect(callbacks.record(CHARGE, FAILED)).resolves.toBeUndefined();

      expect(await statusOf()).toBe('voided');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`failed of payment ${PAYMENT_ID} not recorded`));
    } finally {
      warn.mockRestore();
    }
  });

  it('rejects with a fault that is no refusal (the database timed out), so the answer is delivered again', async () => {
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    jest.spyOn(aggregates.repository, 'execute').mockRejectedValueOnce(timeout);

    await expect(callbacks.record(CHARGE, CAPTURED)).rejects.toBe(timeout);

    expect(await statusOf()).toBe('requested');
    await callbacks.record(CHARGE, CAPTURED);
    expect(await statusOf()).toBe('captured');
  });
});
