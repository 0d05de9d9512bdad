import { inMemoryAggregates } from '../../event-sourcing/testing/index.js';
import { PaymentNotPending } from './domain/payment.errors.js';
import {
  at,
  capturePayment,
  failPayment,
  NOW,
  PAYMENT_ID,
  PRACTICE_ID,
  PROVIDER_REFERENCE,
  requestPayment,
  RESERVATION_ID,
} from './domain/payment.fixtures.js';
import type { PaymentRow } from './infrastructure/payment-list.projection.js';
import { payments } from './payment.aggregate.js';

/** The payment aggregate as registered, on the app's command path in memory: commands, events and the inline row. */
describe('the payment aggregate, in memory', () => {
  const LATER = '2027-03-01T09:00:01.000Z';

  it('requests and captures a payment; the row follows each command', async () => {
    const { repository, store, readModels } = inMemoryAggregates(payments);

    await repository.execute(payments, requestPayment());
    const captured = await repository.execute(payments, capturePayment(PROVIDER_REFERENCE, at(LATER)));

    expect(captured).toMatchObject({
      version: 2,
      state: { status: 'captured', providerReference: PROVIDER_REFERENCE },
    });
    expect((await store.readStream(payments.streamOf(PRACTICE_ID, PAYMENT_ID))).map((e) => e.type)).toEqual([
      'payment.requested',
      'payment.captured',
    ]);
    expect(readModels.rows<PaymentRow>('payments')).toEqual([
      {
        practice_id: PRACTICE_ID,
        payment_id: PAYMENT_ID,
        reservation_id: RESERVATION_ID,
        status: 'captured',
        amount: 5000,
        currency: 'EUR',
        provider_reference: PROVIDER_REFERENCE,
        reason: null,
        captured_late: false,
        refund_reference: null,
        refund_declined_reason: null,
        version: 2,
        requested_at: NOW,
        updated_at: LATER,
      },
    ]);
  });

  it('writes nothing for a repeated capture callback, and answers with the current version', async () => {
    const { repository, store } = inMemoryAggregates(payments);
    await repository.execute(payments, requestPayment());
    await repository.execute(payments, capturePayment());

    await expect(repository.execute(payments, capturePayment())).resolves.toMatchObject({ version: 2 });
    expect(await store.streamVersion(payments.streamOf(PRACTICE_ID, PAYMENT_ID))).toBe(2);
  });

  it('refuses a failure after the capture, and writes neither events nor rows', async () => {
    const { repository, store, readModels } = inMemoryAggregates(payments);
    await repository.execute(payments, requestPayment());
    await repository.execute(payments, capturePayment());
    const before = readModels.rows('payments');

    await expect(repository.execute(payments, failPayment())).rejects.toBeInstanceOf(PaymentNotPending);

    expect(await store.streamVersion(payments.streamOf(PRACTICE_ID, PAYMENT_ID))).toBe(2);
    expect(readModels.rows('payments')).toEqual(before);
  });

  it('keeps payments of different practices apart', async () => {
    const { repository, readModels } = inMemoryAggregates(payments);
    await repository.execute(payments, requestPayment());
    await repository.execute(payments, requestPayment({}, { ...at(NOW), tenantId: 'practice-other' }));

    const practices = readModels.rows<PaymentRow>('payments').map((row) => row.practice_id);
    expect(practices.sort()).toEqual([PRACTICE_ID, 'practice-other']);
  });
});
