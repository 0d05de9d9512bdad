import type { PoolClient } from 'pg';
import type { InlineProjection } from '../aggregates/inline-projection.js';
import type { RecordedEvent } from '../store/event-envelope.js';
import './pg-type-parsers.js';

/** A read-model row: column name → value (JSON-compatible, dates as strings). */
export type Row = Record<string, unknown>;

/**
 * A fold projection: one row per key, evolved by a pure function, so its rules are tested
 * without a database and the core does the loading and storing.
 */
export interface FoldProjectionDefinition<R extends Row> {
  readonly name: string;
  readonly handles: readonly string[];
  readonly table: string;
  /** The primary-key columns, in the order `keyOf` returns their values. */
  readonly keyColumns: readonly string[];
  readonly keyOf: (event: RecordedEvent) => readonly unknown[];
  /** The row after the event; `null` deletes it. Never reads the clock or does I/O. */
  readonly evolve: (row: R | null, event: RecordedEvent) => R | null;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Runs a fold projection inside the append's transaction. */
export class InlineFoldProjection<R extends Row> implements InlineProjection {
  readonly name: string;
  readonly handles: readonly string[];
  private readonly select: string;
  private readonly remove: string;

  constructor(private readonly definition: FoldProjectionDefinition<R>) {
    for (const name of [definition.table, ...definition.keyColumns]) {
      if (!IDENTIFIER.test(name)) throw new Error(`Projection ${definition.name}: "${name}" is not a plain SQL identifier`);
    }
    this.name = definition.name;
    this.handles = definition.handles;
    const where = definition.keyColumns.map((column, i) => `${column} = $${i + 1}`).join(' AND ');
    this.select = `SELECT * FROM ${definition.table} WHERE ${where}`;
    this.remove = `DELETE FROM ${definition.table} WHERE ${where}`;
  }

  async project(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const key = this.definition.keyOf(event);
      const { rows } = await client.query<R>(this.select, [...key]);
      const next = this.definition.evolve(rows[0] ?? null, event);
      if (next === null) await client.query(this.remove, [...key]);
      else await this.upsert(client, next);
    }
  }

  private async upsert(client: PoolClient, row: R): Promise<void> {
    const columns = Object.keys(row);
    const invalid = columns.find((column) => !IDENTIFIER.test(column));
    if (invalid) throw new Error(`Projection ${this.name}: "${invalid}" is not a plain SQL identifier`);
    const updates = columns.filter((c) => !this.definition.keyColumns.includes(c)).map((c) => `${c} = excluded.${c}`);
    await client.query(
      `INSERT INTO ${this.definition.table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (${this.definition.keyColumns.join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
      columns.map((c) => row[c]),
    );
  }
}
