import { expect } from '@jest/globals';
import type { Pool } from 'pg';
import type { DomainEvent } from '../domain/decider.js';
import { foldBatch, type FoldProjectionDefinition, type Row } from '../projections/fold-projection.js';
import { foldOfChanges, type RowChangeProjectionDefinition } from '../projections/row-change.js';
import { checkKeyLength, checkRowKey, keyText, rowKeyText } from '../projections/row-key.js';
import { selectByKeys } from '../projections/row-sql.js';
import type { EventOf, RecordedEvent } from '../store/event-envelope.js';
import { withClient } from '../store/with-client.js';

type RowProjection<R extends Row, E extends DomainEvent> = FoldProjectionDefinition<R, E> | RowChangeProjectionDefinition<R, E>;

/** A row-change projection that names no event types (an aggregate's inline one) takes every given event. */
const asFold = <R extends Row, E extends DomainEvent>(projection: RowProjection<R, E>, events: readonly EventOf<E>[]): FoldProjectionDefinition<R, E> =>
  'changeOf' in projection ? foldOfChanges({ ...projection, handles: projection.handles ?? events.map((e) => e.type) }) : projection;

/**
 * The rows a fold leaves after `events`, in key order: what the projection writes, computed in
 * memory, with PostgreSQL's checks of each row's key against `keyOf` (see row-key.ts).
 */
const foldInMemory = <R extends Row, E extends DomainEvent>(fold: FoldProjectionDefinition<R, E>, events: readonly EventOf<E>[]): R[] => {
  const rows = new Map<string, R | null>();
  for (const event of events) {
    if (!fold.handles.includes(event.type)) continue;
    const key = fold.keyOf(event);
    checkKeyLength(fold, key);
    const row = fold.evolve(rows.get(keyText(key)) ?? null, event);
    if (row !== null) checkRowKey(fold, key, row);
    rows.set(keyText(key), row);
  }
  return [...rows.entries()]
    .filter((entry): entry is [string, R] => entry[1] !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row);
};

/**
 * The rows a fold leaves in its real table on PostgreSQL, in key order, inside a transaction
 * that is rolled back: the spec leaves the database as it found it.
 */
const foldOnPostgres = <R extends Row, E extends DomainEvent>(pool: Pool, fold: FoldProjectionDefinition<R, E>, events: readonly EventOf<E>[]) =>
  withClient(pool, async (client): Promise<R[]> => {
    await client.query('BEGIN');
    try {
      await foldBatch(fold, client, events as readonly RecordedEvent[]);
      const keys = [...new Map(events.filter((e) => fold.handles.includes(e.type)).map((e) => [keyText(fold.keyOf(e)), fold.keyOf(e)])).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, key]) => key);
      const stored = await selectByKeys<R>(client, fold.table, fold.keyColumns, keys);
      const byKey = new Map(stored.map((row) => [rowKeyText(fold.keyColumns, row), row]));
      return keys.map((key) => byKey.get(keyText(key))).filter((row): row is R => row !== undefined);
    } finally {
      await client.query('ROLLBACK');
    }
  });

const expectRows = <R extends Row>(rows: readonly R[], expected: readonly Partial<R>[]): void => {
  expect(rows).toEqual(expected.map((row) => expect.objectContaining(row)));
};

/** `then` lists the rows expected, in key order, each with only the columns it cares about. */
export interface ProjectionScenario<R extends Row> {
  /** Fails at once, as `deciderSpec`'s and `sagaSpec`'s `then` do: a test need not await it. */
  then(...expected: Partial<R>[]): void;
}

export interface ProjectionScenarioOnPostgres<R extends Row> {
  /** Await it: the rows are read from PostgreSQL. */
  then(...expected: Partial<R>[]): Promise<void>;
}

/**
 * Given/then for a read model (a row-change or fold projection): the rows it holds after the
 * events, in key order. In memory by default, in milliseconds, and `then` fails at once; with
 * `{ pool }`, the same scenario in its real table on PostgreSQL (column types, constraints),
 * rolled back after, and `then` must be awaited. Build the events with `recordedEvent()`.
 */
export function projectionSpec<R extends Row, E extends DomainEvent>(
  projection: RowProjection<R, E>,
): { given(...events: EventOf<E>[]): ProjectionScenario<R> };
export function projectionSpec<R extends Row, E extends DomainEvent>(
  projection: RowProjection<R, E>,
  on: { readonly pool: Pool },
): { given(...events: EventOf<E>[]): ProjectionScenarioOnPostgres<R> };
export function projectionSpec<R extends Row, E extends DomainEvent>(projection: RowProjection<R, E>, on?: { readonly pool: Pool }) {
  return {
    given: (...events: EventOf<E>[]): ProjectionScenario<R> | ProjectionScenarioOnPostgres<R> => {
      const fold = asFold(projection, events);
      if (!on) return { then: (...expected) => expectRows(foldInMemory(fold, events), expected) };
      return { then: async (...expected) => expectRows(await foldOnPostgres(on.pool, fold, events), expected) };
    },
  };
}
