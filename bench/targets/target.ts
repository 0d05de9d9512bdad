import type { NewEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';

/** The system under test, the baseline mirroring its table, and the minimal event table. */
export type TargetName = 'store' | 'raw' | 'minimal';

/** Pages the global log from its start; `nextPage` resolves to 0 at the end. */
export interface LogReader {
  nextPage(): Promise<number>;
}

/**
 * What a workload does to a system under test. The event store and both raw-SQL baselines
 * implement it, so every workload runs the same shape against each.
 */
export interface BenchTarget {
  readonly name: TargetName;
  /** The table holding this target's events (for seeding and checks). */
  readonly table: 'events' | 'raw_events' | 'minimal_events';
  /** Appends with an exact expected version; false when another writer took that version. */
  appendExact(stream: StreamId, events: readonly NewEvent[], expectedVersion: number): Promise<boolean>;
  streamVersion(stream: StreamId): Promise<number>;
  /** Loads a whole stream; resolves to its number of events. */
  loadStream(stream: StreamId): Promise<number>;
  logReader(pageSize: number): LogReader;
  /** Releases what it holds beyond the pool (the store's LISTEN connection). */
  close?(): Promise<void>;
}
