import type { PoolClient } from 'pg';
import type { AsyncProjection, EventOf } from '../../../event-sourcing/index.js';
import { providerKeysOf, type PaymentProvider, type ProviderOperation } from '../application/payment-provider.js';
import type { PaymentEvent } from '../domain/payment.events.js';
import type { PaymentRow } from './payment-list.projection.js';

type PaymentNow = Pick<PaymentRow, 'practice_id' | 'payment_id' | 'status' | 'amount' | 'currency' | 'provider_reference'>;

/**
 * Tells the payment provider what the payments ask of it, from the global log: a requested
 * payment is charged; a voided one has its pending charge cancelled, or its capture refunded;
 * one captured late (after its void or failure) is refunded.
 *
 * Why a subscription (registered as an async projection with no tables): it is the durable
 * consumer of the log that `EventSourcingModule.forFeature` registers today. The worker calls
 * `apply` inside the transaction that moves its checkpoint, so an event is handed over before
 * its checkpoint moves: a crash or restart before that commit delivers the event again and
 * nothing is lost. A reactor would run the call outside that transaction, but reactors can
 * only follow a projection registered with them, which `forFeature` does not offer yet. The
 * price is at-least-once: a redelivered event asks again, which the provider absorbs by the
 * request's idempotency key, and a repeated callback decides nothing.
 *
 * What is asked follows the payment's row now (written with each event), not the event alone:
 * only a payment still `requested` is charged, a voided one without a capture cancelled, and
 * one whose money was taken and not given back (`refund_due`; `voided` with a reference for
 * voids stored before they reached the provider) refunded. So a replay of this subscription
 * (`projections:replay payment-charges`) re-drives the stuck ones, and never charges a payment
 * already answered or voided, nor refunds one already refunded.
 *
 * The provider is bound after construction (`connect`): `forFeature` takes the subscription
 * when the module is declared, while the adapter is made later by Nest's injector. Each app
 * (`PaymentsModule.forRoot`) has its own instance.
 */
export class ProviderCharges implements AsyncProjection<PaymentEvent> {
  readonly name = 'payment-charges';
  readonly handles = ['payment.requested', 'payment.voided', 'payment.captured_late'] as const;
  readonly tables = [] as const;
  readonly partitions = 4;
  // A request that cannot be handed over stops its partition (dead-lettered, retried by an
  // operator) rather than being skipped: a skipped charge would leave a deposit unpaid for good,
  // a skipped refund keep a guest's money.
  readonly errorPolicy = 'stop' as const;
  readonly maxAttempts = 10;
  private provider?: PaymentProvider;

  connect(provider: PaymentProvider): PaymentProvider {
    this.provider = provider;
    return provider;
  }

  async apply(client: PoolClient, events: readonly EventOf<PaymentEvent>[]): Promise<void> {
    const asking = events.filter((e) => this.handles.some((type) => type === e.type));
    if (asking.length === 0) return;
    const provider = this.provider;
    if (!provider) throw new Error('payment-charges: no payment provider connected');
    const rows = await paymentsNow(client, asking);
    // One request per payment and operation in a batch (a void and a late capture both refund).
    const asked = new Set<string>();
    for (const event of asking) {
      const row = rows.get(keyOf(event.tenantId, event.aggregateId));
      const operation = row && operationFor(event, row);
      if (!row || !operation) continue;
      const request = {
        practiceId: row.practice_id,
        paymentId: row.payment_id,
        ...providerKeysOf(row.practice_id, row.payment_id, operation),
        correlationId: event.metadata.correlationId,
        causationId: event.eventId,
      };
      if (asked.has(request.idempotencyKey)) continue;
      asked.add(request.idempotencyKey);
      // bigint comes back as a string; the decider keeps amounts within safe integers.
      const money = { amount: Number(row.amount), currency: row.currency };
      if (operation === 'charge') provider.charge({ ...request, ...money });
      else if (operation === 'cancel') provider.cancel(request);
      else provider.refund({ ...request, ...money, providerReference: row.provider_reference ?? '' });
    }
  }
}

/** What the event asks of the provider, given the payment as it is now; nothing once it is done. */
const operationFor = (event: EventOf<PaymentEvent>, row: PaymentNow): ProviderOperation | null => {
  if (event.type === 'payment.requested') return row.status === 'requested' ? 'charge' : null;
  const owed = row.status === 'refund_due' || row.status === 'voided';
  if (owed && row.provider_reference !== null) return 'refund';
  return row.status === 'voided' ? 'cancel' : null;
};

const keyOf = (practiceId: string, paymentId: string) => `${practiceId}\u0000${paymentId}`;

const paymentsNow = async (client: PoolClient, events: readonly EventOf<PaymentEvent>[]): Promise<Map<string, PaymentNow>> => {
  const { rows } = await client.query<PaymentNow>(
    `SELECT practice_id, payment_id, status, amount, currency, provider_reference FROM payments
     WHERE (practice_id, payment_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [events.map((e) => e.tenantId), events.map((e) => e.aggregateId)],
  );
  return new Map(rows.map((row) => [keyOf(row.practice_id, row.payment_id), row]));
};
