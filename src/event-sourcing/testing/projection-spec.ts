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
  withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await foldBatch(fold, client, events as readonly RecordedEvent[]);
      const keys = [...new Map(events.filter((e) => fold.handles.includes(e.type)).map((e) => [keyText(fold.keyOf(e)), fold.keyOf(e)])).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, key]) => key);
      const stored = await selectByKeys<R>(client, fold.table, fold.keyColumns, keys);
      const byKey = new Map(stored.map((row) => [rowKeyText(fold.keyColumns, row), row]));
      return keys.flatMap((key) => byKey.get(keyText(key)) ?? []);
    } finally {
      await client.query('ROLLBACK');
    }
  });

/**
 * Given/then for a read model (a row-change or fold projection): the rows it holds after the
 * events, in key order. In memory by default, in milliseconds; with `{ pool }`, the same
 * scenario in its real table on PostgreSQL (column types, constraints), rolled back after.
 * Build the events with `recordedEvent()`.
 */
export const projectionSpec = <R extends Row, E extends DomainEvent>(projection: RowProjection<R, E>, on: { pool?: Pool } = {}) => ({
  given: (...events: EventOf<E>[]) => ({
    async then(...expected: Partial<R>[]): Promise<void> {
      const fold = asFold(projection, events);
      const rows = on.pool ? await foldOnPostgres(on.pool, fold, events) : foldInMemory(fold, events);
      expect(rows).toEqual(expected.map((row) => expect.objectContaining(row)));
    },
  }),
});
