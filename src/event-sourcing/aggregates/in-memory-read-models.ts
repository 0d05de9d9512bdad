import { applyChange, type AnyRowChangeProjection } from '../projections/row-change.js';
import type { Row } from '../projections/row-sql.js';
import type { PendingEvent } from '../store/append-side-write.js';

/** Read-model tables in memory: what a row-change projection would leave in PostgreSQL. */
export class InMemoryReadModels {
  private readonly tables = new Map<string, Map<string, Row>>();

  /** Each event's change applied to its row, in order. */
  apply<R extends Row>(definition: AnyRowChangeProjection<R>, events: readonly PendingEvent[]): void {
    const table = this.tables.get(definition.table) ?? new Map<string, Row>();
    this.tables.set(definition.table, table);
    for (const event of events) {
      if (!definition.handles.includes(event.type)) continue;
      const key = JSON.stringify(definition.keyOf(event));
      const row = applyChange((table.get(key) as R | undefined) ?? null, definition.changeOf(event));
      if (row === null) table.delete(key);
      else table.set(key, row);
    }
  }

  /** The rows of a table, in key order. */
  rows<R extends Row = Row>(table: string): R[] {
    return [...(this.tables.get(table) ?? new Map<string, Row>()).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, row]) => row as R);
  }
}
