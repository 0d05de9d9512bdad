import type { PoolClient } from 'pg';
import type { AsyncProjection, EventOf } from '../../../event-sourcing/index.js';
import type { PaymentProvider } from '../application/payment-provider.js';
import type { PaymentEvent, PaymentRequested } from '../domain/payment.events.js';

/**
 * Hands each requested payment to the payment provider, from the global log.
 *
 * Why a subscription (registered as an async projection with no tables): it is the durable
 * consumer of the log that `EventSourcingModule.forFeature` registers today. The worker calls
 * `apply` inside the transaction that moves its checkpoint, so a `payment.requested` is
 * handed over before its checkpoint moves: a crash or restart before that commit delivers the
 * event again and nothing is lost. A reactor would run the call outside that transaction, but
 * reactors can only follow a projection registered with them, which `forFeature` does not
 * offer yet. The price is at-least-once: a redelivered event asks again, which the provider
 * absorbs by the payment id (the fake remembers it; a real one takes it as idempotency key),
 * and a repeated capture callback decides nothing.
 *
 * Only payments still `requested` in the read model (written with the event) are charged, so
 * a replay of this subscription (`projections:replay payment-charges`) re-drives the stuck
 * ones and never charges a payment already answered or voided.
 *
 * The provider is bound after construction (`connect`): `forFeature` takes the subscription
 * when the module is declared, while the adapter is made later by Nest's injector. Each app
 * (`PaymentsModule.forRoot`) has its own instance.
 */
export class ProviderCharges implements AsyncProjection<PaymentEvent> {
  readonly name = 'payment-charges';
  readonly handles = ['payment.requested'] as const;
  readonly tables = [] as const;
  readonly partitions = 4;
  // A charge that cannot be handed over stops its partition (dead-lettered, retried by an
  // operator) rather than being skipped: a skipped charge would leave a deposit unpaid for good.
  readonly errorPolicy = 'stop' as const;
  readonly maxAttempts = 10;
  private provider?: PaymentProvider;

  connect(provider: PaymentProvider): PaymentProvider {
    this.provider = provider;
    return provider;
  }

  async apply(client: PoolClient, events: readonly EventOf<PaymentEvent>[]): Promise<void> {
    const requested = events.filter((e): e is EventOf<PaymentRequested> => e.type === 'payment.requested');
    if (requested.length === 0) return;
    if (!this.provider) throw new Error('payment-charges: no payment provider connected');
    const waiting = await stillRequested(client, requested);
    for (const event of requested) {
      if (!waiting.has(keyOf(event.tenantId, event.aggregateId))) continue;
      this.provider.charge({
        practiceId: event.tenantId,
        paymentId: event.aggregateId,
        amount: event.data.amount,
        currency: event.data.currency,
        correlationId: event.metadata.correlationId,
        causationId: event.eventId,
      });
    }
  }
}

const keyOf = (practiceId: string, paymentId: string) => `${practiceId}\u0000${paymentId}`;

const stillRequested = async (
  client: PoolClient,
  events: readonly EventOf<PaymentRequested>[],
): Promise<Set<string>> => {
  const { rows } = await client.query<{ practice_id: string; payment_id: string }>(
    `SELECT practice_id, payment_id FROM payments
     WHERE status = 'requested' AND (practice_id, payment_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [events.map((e) => e.tenantId), events.map((e) => e.aggregateId)],
  );
  return new Set(rows.map((row) => keyOf(row.practice_id, row.payment_id)));
};
