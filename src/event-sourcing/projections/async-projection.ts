import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';

/**
 * What happens to an event whose handler still throws after `maxAttempts`: the projection
 * stops at it (nothing after it is applied until an operator retries or skips), or the
 * event is skipped. Either way it is kept in the dead-letter table with the error.
 */
export type ErrorPolicy = 'stop' | 'skip';

/** Logical table name → the physical table to write (a shadow table during a rebuild). */
export type TableNames = Readonly<Record<string, string>>;

/**
 * A projection run by workers following the global log. `apply` receives the events of one
 * partition, in log order, inside the transaction that moves the checkpoint: read model and
 * checkpoint commit together, so each event is applied exactly once.
 */
export interface AsyncProjection {
  readonly name: string;
  readonly handles: readonly string[];
  /** The tables the read model lives in, by logical name; a rebuild builds shadows of them. */
  readonly tables: readonly string[];
  /** Streams are spread over this many partitions (hash of the stream), each with its own checkpoint. */
  readonly partitions: number;
  readonly errorPolicy: ErrorPolicy;
  readonly maxAttempts: number;
  apply(client: PoolClient, events: readonly RecordedEvent[], tables: TableNames): Promise<void>;
}

export const DEFAULT_PARTITIONS = 4;
export const DEFAULT_MAX_ATTEMPTS = 5;

export const identityTables = (projection: Pick<AsyncProjection, 'tables'>): TableNames =>
  Object.fromEntries(projection.tables.map((table) => [table, table]));
