import type { PoolClient } from 'pg';
import type { DomainEvent } from '../domain/decider.js';
import type { EventOf } from '../store/event-envelope.js';
import type { Subscription, SubscriptionSettings } from '../subscriptions/subscription.js';

/** Logical table name → the physical table to write (a shadow table during a rebuild). */
export type TableNames = Readonly<Record<string, string>>;

/**
 * A read model kept by the subscription engine: a subscription's settings plus the tables the
 * read model lives in. `apply` writes to the tables it is given rather than to fixed names, so
 * a rebuild runs the same code into shadow tables while the live ones keep serving.
 */
export interface AsyncProjection<E extends DomainEvent = DomainEvent> extends SubscriptionSettings {
  /** The tables the read model lives in, by logical name; a rebuild builds shadows of them. */
  readonly tables: readonly string[];
  /** Events of the types it handles (of the union `E`), in log order (each stream's in order): one partition's, or several's at once. */
  apply(client: PoolClient, events: readonly EventOf<E>[], tables: TableNames): Promise<void>;
}

export const identityTables = (projection: Pick<AsyncProjection, 'tables'>): TableNames =>
  Object.fromEntries(projection.tables.map((table) => [table, table]));

/** The projection as workers run it: applied to its live tables, with the read model's relaxed commit. */
export const projectionSubscription = (projection: AsyncProjection): Subscription => {
  const { name, handles, partitions, errorPolicy, maxAttempts, personalFields } = projection;
  const tables = identityTables(projection);
  return {
    name,
    handles,
    partitions,
    errorPolicy,
    maxAttempts,
    personalFields,
    asyncCommit: true,
    handle: (client, events) => projection.apply(client, events, tables),
  };
};
