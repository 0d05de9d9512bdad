import type { PoolClient } from 'pg';
import type { AsyncProjection, TableNames } from '../../src/event-sourcing/projections/async-projection.js';
import { PostgresSubscriptionLog, type PartitionFilter, type PartitionPage } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import type { RecordedEvent } from '../../src/event-sourcing/store/event-envelope.js';
import type { LogCursor } from '../../src/event-sourcing/store/log-cursor.js';

/** Time the worker spent in one kind of call, summed over its partitions (they overlap). */
export interface CallTimes {
  calls: number;
  rows: number;
  totalMs: number;
  readonly latenciesMs: number[];
}

const newTimes = (): CallTimes => ({ calls: 0, rows: 0, totalMs: 0, latenciesMs: [] });

const timeCall = async <T>(times: CallTimes, rows: (result: T) => number, call: () => Promise<T>): Promise<T> => {
  const began = performance.now();
  const result = await call();
  const ms = performance.now() - began;
  times.calls += 1;
  times.rows += rows(result);
  times.totalMs += ms;
  times.latenciesMs.push(ms);
  return result;
};

/** The log reader the worker reads through, timing its reads (rows = the partition's events returned; a shared read counts for each partition waiting on it); nothing else changes. */
export class ReadTimedLog extends PostgresSubscriptionLog {
  readonly reads = newTimes();

  override readPartition(filter: PartitionFilter, partition: number, after: LogCursor, scanLimit: number): Promise<PartitionPage> {
    return timeCall(this.reads, (page) => page.events.length, () => super.readPartition(filter, partition, after, scanLimit));
  }
}

/** `projection` with its `apply` (one batch's read-model writes, inside the checkpoint's transaction) timed. */
export const applyTimed = (projection: AsyncProjection): { projection: AsyncProjection; applies: CallTimes } => {
  const applies = newTimes();
  return {
    applies,
    projection: {
      ...projection,
      apply: (client: PoolClient, events: readonly RecordedEvent[], tables: TableNames) =>
        timeCall(applies, () => events.length, () => projection.apply(client, events, tables)),
    },
  };
};
