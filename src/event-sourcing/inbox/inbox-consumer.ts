import type { PoolClient } from 'pg';
import type { RelayedEvent } from '../relay/relayed-event.js';

/**
 * An in-app consumer of the events the relay publishes. It gets its own durable queue,
 * `<exchange>.<name>`, bound to the exchange with `bindings`. `handle` runs in the PostgreSQL
 * transaction that records the message id in the inbox, and the message is acked only after
 * that commit: a redelivered message finds its id and is acked without being handled again.
 * Its writes through `client` happen once; any other effect (a mail) at least once, again only
 * if the transaction fails after it. A message whose handling keeps failing is parked after
 * `maxAttempts` for an operator to retry; throw `DependencyUnavailable` for a failure that is not
 * the message's fault (a mail server down), and the message waits instead, however long.
 */
export interface InboxConsumer {
  /** Names its queue and its rows of the `inbox` table: a new name gets a new queue. */
  readonly name: string;
  /** Routing-key patterns (`<tenant>.<aggregateType>.<type>`), e.g. `*.reservation.reservation.confirmed`. */
  readonly bindings: readonly string[];
  /**
   * Attempts before a message whose handling keeps failing is parked (taken off the queue, kept
   * for an operator to retry); 5 when not set. A `DependencyUnavailable` is not an attempt.
   */
  readonly maxAttempts?: number;
  handle(client: PoolClient, event: RelayedEvent): Promise<void>;
}
