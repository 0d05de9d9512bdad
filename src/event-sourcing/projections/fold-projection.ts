import type { PoolClient } from 'pg';
import type { InlineProjection } from '../aggregates/inline-projection.js';
import type { DomainEvent } from '../domain/decider.js';
import type { EventOf, RecordedEvent } from '../store/event-envelope.js';
import './pg-type-parsers.js';
import { checkIdentifiers, deleteByKeys, selectByKeys, upsertRows, type Row } from './row-sql.js';

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
 * Folds a batch of events into `table`: loads every touched row in one statement, evolves
 * them in order in memory, then writes the survivors in one statement and deletes the rest.
 */
export const foldBatch = async <R extends Row>(
  definition: AnyFoldProjection<R>,
  client: PoolClient,
  events: readonly RecordedEvent[],
  table: string = definition.table,
): Promise<void> => {
  const handled = events.filter((e) => definition.handles.includes(e.type));
  if (handled.length === 0) return;
  const keyText = (key: readonly unknown[]) => JSON.stringify(key);
  const keys = new Map(handled.map((e) => [keyText(definition.keyOf(e)), definition.keyOf(e)]));
  const loaded = await selectByKeys<R>(client, table, definition.keyColumns, [...keys.values()]);
  const rows = new Map<string, R | null>(loaded.map((row) => [keyText(definition.keyColumns.map((c) => row[c])), row]));
  for (const event of handled) {
    const key = keyText(definition.keyOf(event));
    rows.set(key, definition.evolve(rows.get(key) ?? null, event));
  }
  const survivors = [...rows.values()].filter((row): row is R => row !== null);
  const removed = [...rows.entries()].filter(([, row]) => row === null).map(([key]) => keys.get(key) ?? []);
  await deleteByKeys(client, table, definition.keyColumns, removed);
  await upsertRows(client, table, definition.keyColumns, survivors);
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
