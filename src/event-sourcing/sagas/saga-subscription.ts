import type { PostgresEventStore } from '../store/postgres-event-store.js';
import { streamKey } from '../store/event-envelope.js';
import { withDefaults, type Subscription } from '../subscriptions/subscription.js';
import type { AnySaga } from './saga.js';
import { commitStep } from './saga-commit.js';
import { instanceKeyOf, sagaStep, type SagaCommandIds, type SagaInstance } from './saga-step.js';
import { loadInstance, sagaStream } from './saga-stream.js';

/** The name a saga's subscription (its checkpoint, kill switch and dead letters) goes by. */
export const sagaSubscriptionName = (saga: string): string => `saga:${saga}`;

/**
 * A saga as a consumer of the log. One partition: an instance follows events of several
 * streams (an order's, its payment's), and only the log's own order tells which came first.
 * Each step commits with the checkpoint, so every event reaches its instance exactly once.
 */
export const sagaSubscription = (
  saga: AnySaga,
  store: PostgresEventStore,
  committed?: () => void,
  commandIdOf?: SagaCommandIds,
): Subscription => ({
  name: sagaSubscriptionName(saga.name),
  handles: saga.handles,
  ...withDefaults({ partitions: 1 }),
  committed,
  async handle(client, events) {
    // Instances stepped earlier in this batch: their stream has moved on inside this transaction.
    const stepped = new Map<string, { instance: SagaInstance<unknown> | null; version: number }>();
    for (const event of events) {
      const key = instanceKeyOf(saga, event);
      if (key === null) continue;
      const stream = sagaStream(saga.name, event.tenantId, key);
      const loaded = stepped.get(streamKey(stream)) ?? (await loadInstance(client, stream));
      const step = sagaStep(saga, loaded.instance, { key, event }, commandIdOf);
      if (step === null) continue;
      const correlationId = event.metadata.correlationId ?? event.eventId;
      const trigger = { type: event.type, id: event.eventId, correlationId, at: event.occurredAt };
      await commitStep(client, store, saga.name, stream, loaded.version, step, trigger);
      stepped.set(streamKey(stream), { instance: step.instance, version: loaded.version + 1 });
    }
  },
});
