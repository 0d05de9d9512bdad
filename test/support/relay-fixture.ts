import { AmqpBroker } from '../../src/event-sourcing/broker/amqp-broker.js';
import type { InboxConsumer } from '../../src/event-sourcing/inbox/inbox-consumer.js';
import { InboxRunner } from '../../src/event-sourcing/inbox/inbox-runner.js';
import { eventRelay } from '../../src/event-sourcing/relay/event-relay.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { CommitNotifier } from '../../src/event-sourcing/subscriptions/commit-notifier.js';
import { PostgresSubscriptionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import { removeExchange, tap, type Tap } from './broker.js';
import { testRegistry, TICKED } from './projection-fixtures.js';
import type { TestDatabase } from './test-database.js';

export interface RunningRelay {
  readonly store: PostgresEventStore;
  readonly broker: AmqpBroker;
  readonly worker: SubscriptionWorker;
  /** What arrived on a queue bound to the exchange. */
  readonly received: Tap;
  stop(): Promise<void>;
}

export interface RelaySettings {
  readonly url: string;
  readonly exchange: string;
  readonly connectionName: string;
  readonly log: (message: string) => void;
  readonly batchSize?: number;
  readonly confirmTimeoutMs?: number;
  /** Inbox consumers on the relay's connection, as a worker process runs them beside it. */
  readonly consumers?: readonly InboxConsumer[];
}

/**
 * The relay of the test fixtures' ticks as a worker runs it: a store appending to `db`, a
 * broker on `url` publishing to `exchange`, and a subscription worker polling fast.
 */
export const startRelay = async (db: TestDatabase, settings: RelaySettings): Promise<RunningRelay> => {
  const { url, exchange, connectionName, log, batchSize, confirmTimeoutMs, consumers = [] } = settings;
  const registry = testRegistry();
  const notifier = new CommitNotifier(db.pool);
  const store = new PostgresEventStore(db.pool, registry, () => notifier.notify());
  const received = await tap(exchange);
  const broker = new AmqpBroker({ url, exchange, connectionName, log });
  const inbox = new InboxRunner(db.pool, broker, { retryDelayMs: 50, log });
  for (const consumer of consumers) inbox.register(consumer);
  await broker.start();
  const options = { pollIntervalMs: 100, heartbeatMs: 250, batchSize, log };
  const worker = new SubscriptionWorker(db.pool, new PostgresSubscriptionLog(db.pool, registry), [eventRelay(broker, { types: [TICKED], confirmTimeoutMs })], options);
  await worker.start();
  return {
    store,
    broker,
    worker,
    received,
    async stop() {
      await worker.stop();
      await inbox.stop();
      await broker.stop();
      await received.close();
      await removeExchange(exchange, consumers.map((consumer) => `${exchange}.${consumer.name}`));
    },
  };
};
