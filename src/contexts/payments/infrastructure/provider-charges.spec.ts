import type { PoolClient } from 'pg';
import type { EventOf } from '../../../event-sourcing/index.js';
import type { PaymentProvider } from '../application/payment-provider.js';
import type { PaymentEvent } from '../domain/payment.events.js';
import {
  paymentCapturedLate,
  paymentRequested,
  paymentVoided,
  PAYMENT_ID,
  PRACTICE_ID,
  PROVIDER_REFERENCE,
} from '../domain/payment.fixtures.js';
import type { PaymentRow } from './payment-list.projection.js';
import { ProviderCharges } from './provider-charges.subscription.js';

type Now = Pick<PaymentRow, 'status' | 'provider_reference'>;

/** An event of the payment as the worker hands it over. */
const recorded = (event: Pick<PaymentEvent, 'type' | 'data'>, version: number): EventOf<PaymentEvent> =>
  ({
    ...event,
    position: version,
    eventId: `00000000-0000-4000-8000-00000000000${version}`,
    tenantId: PRACTICE_ID,
    aggregateType: 'payment',
    aggregateId: PAYMENT_ID,
    version,
    schemaVersion: 1,
    metadata: { actor: { type: 'system', id: null }, correlationId: 'booking-1' },
    occurredAt: new Date('2027-03-01T09:00:00Z'),
    recordedAt: new Date('2027-03-01T09:00:00Z'),
    transactionId: '1',
  }) as unknown as EventOf<PaymentEvent>;

const requested = recorded(paymentRequested(), 1);
const voided = recorded(paymentVoided(), 2);
const voidedCapture = recorded(paymentVoided({ providerReference: PROVIDER_REFERENCE }), 3);
const capturedLate = recorded(paymentCapturedLate(), 3);

/** What the provider is asked, given the payment's row as it is now (the row is what a replay re-drives by). */
const askedFor = async (now: Now, events: readonly EventOf<PaymentEvent>[]) => {
  const asked: [string, unknown][] = [];
  const provider: PaymentProvider = {
    charge: (request) => void asked.push(['charge', request]),
    cancel: (request) => void asked.push(['cancel', request]),
    refund: (request) => void asked.push(['refund', request]),
  };
  // bigint comes back from PostgreSQL as a string.
  const row = { practice_id: PRACTICE_ID, payment_id: PAYMENT_ID, amount: '5000', currency: 'EUR', ...now };
  const client = { query: () => Promise.resolve({ rows: [row], rowCount: 1 }) } as unknown as PoolClient;
  const charges = new ProviderCharges();
  charges.connect(provider);
  await charges.apply(client, events);
  return asked;
};

const KEY = `${PRACTICE_ID}:${PAYMENT_ID}`;
const about = { practiceId: PRACTICE_ID, paymentId: PAYMENT_ID, chargeKey: KEY, correlationId: 'booking-1' };
const money = { amount: 5000, currency: 'EUR' };

describe('ProviderCharges', () => {
  it('follows the requests, the voids and the late captures', () =>
    expect([...new ProviderCharges().handles].sort()).toEqual([
      'payment.captured_late',
      'payment.requested',
      'payment.voided',
    ]));

  it('charges a payment still requested, keyed by practice and payment (ids are unique only in a practice)', async () =>
    expect(await askedFor({ status: 'requested', provider_reference: null }, [requested])).toEqual([
      ['charge', { ...about, ...money, idempotencyKey: KEY, causationId: requested.eventId }],
    ]));

  it('cancels the pending charge of a voided payment', async () =>
    expect(await askedFor({ status: 'voided', provider_reference: null }, [voided])).toEqual([
      ['cancel', { ...about, idempotencyKey: `${KEY}:cancel`, causationId: voided.eventId }],
    ]));

  it.each([
    ['the void of a captured payment', voidedCapture],
    ['a capture after the void', capturedLate],
  ])('refunds the capture on %s', async (_, event) =>
    expect(await askedFor({ status: 'refund_due', provider_reference: PROVIDER_REFERENCE }, [event])).toEqual([
      [
        'refund',
        {
          ...about,
          ...money,
          providerReference: PROVIDER_REFERENCE,
          idempotencyKey: `${KEY}:refund`,
          causationId: event.eventId,
        },
      ],
    ]));

  it('asks one refund of a void and a late capture in one batch, and no cancellation: the money was taken', async () => {
    const asked = await askedFor({ status: 'refund_due', provider_reference: 'ch_late' }, [voided, capturedLate]);
    expect(asked.map(([operation]) => operation)).toEqual(['refund']);
  });

  it('refunds, on a replay, a captured payment voided before voids reached the provider', async () => {
    const asked = await askedFor({ status: 'voided', provider_reference: PROVIDER_REFERENCE }, [voided]);
    expect(asked).toEqual([['refund', expect.objectContaining({ providerReference: PROVIDER_REFERENCE })]]);
  });

  it.each([
    ['a payment answered since it was requested', { status: 'captured', provider_reference: 'ch_1' }, requested],
    ['a payment voided since it was requested', { status: 'voided', provider_reference: null }, requested],
    ['a refunded payment', { status: 'refunded', provider_reference: PROVIDER_REFERENCE }, capturedLate],
  ] as const)('asks nothing for %s', async (_, now, event) => expect(await askedFor(now, [event])).toEqual([]));
});
