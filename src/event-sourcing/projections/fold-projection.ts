import type { PoolClient } from 'pg';
import type { InlineProjection } from '../aggregates/inline-projection.js';
import type { DomainEvent } from '../domain/decider.js';
import type { EventOf, RecordedEvent } from '../store/event-envelope.js';
import './pg-type-parsers.js';
import { checkKeyLength, checkRowKey, keyText, rowKeyText } from './row-key.js';
import { checkIdentifiers, deleteByKeys, selectByKeys, upsertRows, writeFoldRows, type Row } from './row-sql.js';

export type { Row } from './row-sql.js';

/** What every one-row-per-key projection names: itself, the events it takes, its table and that table's key. */
export interface RowProjectionTable {
  readonly name: string;
  readonly handles: readonly string[];
  readonly table: string;
  /** The primary-key columns, in the order `keyOf` returns their values. */
  readonly keyColumns: readonly string[];
}

/**
 * A fold projection: one row per key, evolved by a pure function, so its rules are tested
 * without a database and the core does the loading and storing.
 */
export interface FoldProjectionDefinition<R extends Row, E extends DomainEvent = DomainEvent> extends RowProjectionTable {
  readonly keyOf: (event: EventOf<E>) => readonly unknown[];
  /** The row after the event; `null` deletes it. Never reads the clock or does I/O. */
  readonly evolve: (row: R | null, event: EventOf<E>) => R | null;
}

/** A definition as the core holds it, whatever its events: they reach it filtered by `handles`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the core hands each definition only the events it handles
export type AnyFoldProjection<R extends Row = any> = FoldProjectionDefinition<R, any>;

/**
 * Whether other transactions may fold into the same rows while this one runs. An async fold's
 * partitions commit apart and its key may span streams (a count per day), so two of them may
 * fold into one row at once: then `shared`, and no transaction's events are lost. An inline
 * fold writes in its append's transaction, alone: `alone` skips the locks.
 */
export type FoldWriters = 'alone' | 'shared';

/**
 * Folds a batch of events into `table`: loads every touched row in one statement, evolves
 * them in order in memory, then writes the survivors in one statement and deletes the rest.
 *
 * `shared`: the rows are locked as they are loaded, and the new ones are inserted only where no
 * row has appeared since (`writeFoldRows`, which waits for a transaction inserting the same
 * key). A key another transaction inserted meanwhile is loaded again, locked, and its events
 * folded into the row it committed: the transactions then count as run one after the other.
 * A new row that folds to nothing writes nothing, which is the same as this batch having run
 * first. Without contention that costs the lock of each loaded row, and no statement more.
 */
export const foldBatch = async <R extends Row>(
  definition: AnyFoldProjection<R>,
  client: PoolClient,
  events: readonly RecordedEvent[],
  table: string = definition.table,
  writers: FoldWriters = 'alone',
): Promise<void> => {
  const { keyColumns } = definition;
  const shared = writers === 'shared';
  let pending = events
    .filter((e) => definition.handles.includes(e.type))
    .map((event) => {
      const key = definition.keyOf(event);
      checkKeyLength(definition, key);
      return { event, key, text: keyText(key) };
    });
  while (pending.length > 0) {
    const keys = new Map(pending.map(({ key, text }) => [text, key]));
    const loaded = await selectByKeys<R>(client, table, keyColumns, [...keys.values()], { forUpdate: shared });
    const rows = new Map<string, R | null>(loaded.map((row) => [loadedKey(definition, keys, row), row]));
    const found = new Set(rows.keys());
    for (const { event, text } of pending) rows.set(text, definition.evolve(rows.get(text) ?? null, event));
    const removed = [...found].filter((key) => rows.get(key) === null).map((key) => keys.get(key)!);
    await deleteByKeys(client, table, keyColumns, removed);
    const survivors = [...rows.entries()].filter((entry): entry is [string, R] => entry[1] !== null);
    for (const [text, row] of survivors) checkRowKey(definition, keys.get(text)!, row);
    if (!shared) return upsertRows(client, table, keyColumns, survivors.map(([, row]) => row));
    const changed = survivors.filter(([key]) => found.has(key)).map(([, row]) => row);
    // In key order, so two transactions inserting some of the same keys never deadlock.
    const created = survivors.filter(([key]) => !found.has(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const inserted = await writeFoldRows(client, table, keyColumns, changed, created.map(([, row]) => row));
    if (inserted.length === created.length) return;
    const insertedKeys = new Set(inserted.map((row) => loadedKey(definition, keys, row)));
    // Inserted meanwhile by another transaction: folded again from the row it committed.
    pending = pending.filter(({ text }) => !found.has(text) && rows.get(text) !== null && !insertedKeys.has(text));
  }
};

/**
 * A stored row's key, as `keyOf` gave it. A row comes back for a key that was asked for, but
 * in a form `keyOf` did not give (an upper-case uuid, a number with other decimals) would be
 * folded from nothing and overwrite the row: refused.
 */
const loadedKey = (definition: AnyFoldProjection, asked: ReadonlyMap<string, unknown>, row: Row): string => {
  const key = rowKeyText(definition.keyColumns, row);
  if (asked.has(key)) return key;
  throw new Error(
    `Read model ${definition.name}: its row ${key} was found for a key keyOf gave in another form; ` +
      `keyOf must give the values of ${definition.keyColumns.join(', ')} as PostgreSQL returns them`,
  );
};

/** Runs a fold projection inside the append's transaction. */
export class InlineFoldProjection<R extends Row> implements InlineProjection {
  readonly name: string;
  readonly handles: readonly string[];

  constructor(private readonly definition: AnyFoldProjection<R>) {
    checkIdentifiers(`Projection ${definition.name}`, [definition.table, ...definition.keyColumns]);
    this.name = definition.name;
    this.handles = definition.handles;
  }

  project(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    return foldBatch(this.definition, client, events);
  }
}
