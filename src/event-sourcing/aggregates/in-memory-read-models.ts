import { applyChange, checkChangeKey, type AnyRowChangeProjection } from '../projections/row-change.js';
import { keyText } from '../projections/row-key.js';
import type { Row } from '../projections/row-sql.js';
import type { PendingEvent } from '../store/append-side-write.js';

/** Read-model tables in memory: what a row-change projection would leave in PostgreSQL. */
export class InMemoryReadModels {
  private readonly tables = new Map<string, Map<string, Row>>();

  /** Each event's change applied to its row, in order; a key that cannot be the row's is refused as on PostgreSQL. */
  apply<R extends Row>(definition: AnyRowChangeProjection<R>, events: readonly PendingEvent[]): void {
    const table = this.tables.get(definition.table) ?? new Map<string, Row>();
    this.tables.set(definition.table, table);
    for (const event of events) {
      if (!definition.handles.includes(event.type)) continue;
      const key = definition.keyOf(event);
      const change = definition.changeOf(event);
      checkChangeKey(definition, key, change);
      const row = applyChange((table.get(keyText(key)) as R | undefined) ?? null, change);
      if (row === null) table.delete(keyText(key));
      else table.set(keyText(key), row);
    }
  }

  /** The rows of a table, in key order. */
  rows<R extends Row = Row>(table: string): R[] {
    return [...(this.tables.get(table) ?? new Map<string, Row>()).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, row]) => row as R);
  }
}
