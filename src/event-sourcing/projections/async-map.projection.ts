import type { PoolClient } from 'pg';
import type { DomainEvent } from '../domain/decider.js';
import type { EventOf, RecordedEvent } from '../store/event-envelope.js';
import { withDefaults, type SubscriptionOptions } from '../subscriptions/subscription.js';
import type { AsyncProjection, TableNames } from './async-projection.js';
import type { Row } from './fold-projection.js';
import { checkIdentifiers, insertNewRows } from './row-sql.js';

export interface MapProjectionDefinition<R extends Row, E extends DomainEvent = DomainEvent> {
  readonly name: string;
  readonly handles: readonly string[];
  readonly table: string;
  /** A unique key of the records (e.g. the event id), so a record is never written twice. */
  readonly conflictColumns: readonly string[];
  /** One record per event (or none); pure. */
  readonly map: (event: EventOf<E>) => R | null;
}

/** A map projection: one record per event, no ordering needed, written in one statement per batch. */
export const asyncMap = <R extends Row, E extends DomainEvent = DomainEvent>(definition: MapProjectionDefinition<R, E>, options: SubscriptionOptions = {}): AsyncProjection => {
  checkIdentifiers(`Projection ${definition.name}`, [definition.table, ...definition.conflictColumns]);
  const handled = new Set(definition.handles);
  return {
    name: definition.name,
    handles: definition.handles,
    tables: [definition.table],
    ...withDefaults(options),
    async apply(client: PoolClient, events: readonly RecordedEvent[], tables: TableNames) {
      // One pass, no intermediate arrays: on catch-up this runs for every event of the log.
      const records: R[] = [];
      for (const event of events) {
        if (!handled.has(event.type)) continue;
        const record = definition.map(event as EventOf<E>); // one of its types: filtered just above
        if (record !== null) records.push(record);
      }
      await insertNewRows(client, tables[definition.table], definition.conflictColumns, records);
    },
  };
};
