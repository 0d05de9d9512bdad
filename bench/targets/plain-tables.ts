import { randomUUID } from 'node:crypto';
import { streamKey, type NewEvent, type StreamId } from '../../src/event-sourcing/store/event-envelope.js';

/** How a raw-SQL baseline lays its events out; `PlainSqlTarget` builds its statements from this. */
export interface PlainTable {
  readonly name: 'raw' | 'minimal';
  readonly table: 'raw_events' | 'minimal_events';
  /** The columns that name a stream, in parameter order ($1, $2…). */
  readonly streamColumns: readonly string[];
  streamValues(stream: StreamId): unknown[];
  /** The columns each event fills beside the stream's. */
  readonly eventColumns: readonly string[];
  eventValues(event: NewEvent, version: number, now: Date): unknown[];
  /** What a read selects; `position` is the global order. */
  readonly readColumns: string;
  /** What an append returns, if anything. */
  readonly returning: string;
}

/** The mirror of `events`: its columns, what the store's append returns, one read row as the store's. */
export const RAW_TABLE: PlainTable = {
  name: 'raw',
  table: 'raw_events',
  streamColumns: ['tenant_id', 'aggregate_type', 'aggregate_id'],
  streamValues: (stream) => [stream.tenantId, stream.aggregateType, stream.aggregateId],
  eventColumns: ['event_id', 'version', 'type', 'schema_version', 'data', 'metadata', 'occurred_at'],
  eventValues: (event, version, now) => [
    randomUUID(),
    version,
    event.type,
    1,
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
    event.occurredAt ?? now,
  ],
  readColumns: `position, event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
    data, metadata, occurred_at, recorded_at, transaction_id::text AS transaction_id`,
  returning: 'RETURNING position',
};

/** The minimal event table: one stream key, the event's own columns, nothing returned. */
export const MINIMAL_TABLE: PlainTable = {
  name: 'minimal',
  table: 'minimal_events',
  streamColumns: ['stream'],
  streamValues: (stream) => [streamKey(stream)],
  eventColumns: ['id', 'version', 'type', 'data', 'metadata'],
  eventValues: (event, version) => [
    randomUUID(),
    version,
    event.type,
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
  ],
  readColumns: 'position, id, stream, version, type, data, metadata',
  returning: '',
};
