import type { PoolClient } from 'pg';
import type { AsyncProjection, TableNames } from '../../src/event-sourcing/projections/async-projection.js';
import type { RecordedEvent } from '../../src/event-sourcing/store/event-envelope.js';
import type { GlobalPage, ReadAllOptions } from '../../src/event-sourcing/store/event-store.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';

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

/** The store the worker reads through, timing its log reads; nothing else changes. */
export class ReadTimedStore extends PostgresEventStore {
  readonly reads = newTimes();

  override readAll(options?: ReadAllOptions): Promise<GlobalPage> {
    return timeCall(this.reads, (page) => page.events.length, () => super.readAll(options));
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
