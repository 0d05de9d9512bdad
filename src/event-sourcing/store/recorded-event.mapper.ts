import type { PendingEvent } from './append-side-write.js';
import type { EventMetadata, RecordedEvent, StreamId } from './event-envelope.js';
import type { EventRegistry } from './event-registry.js';
import type { PreparedEvent } from './prepared-event.js';

/** A row of the events table as node-postgres returns it (bigint as text). */
export interface EventRow {
  position: string;
  event_id: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  occurred_at: Date;
  recorded_at: Date;
  transaction_id: string;
}

export interface StoredPlace {
  readonly position: number;
  readonly version: number;
  readonly recordedAt: Date;
  readonly transactionId: string;
}

/** Builds `RecordedEvent`s, upcasting stored data to the current schema version. */
export class RecordedEventMapper {
  constructor(private readonly registry: EventRegistry) {}

  toRecorded(row: EventRow): RecordedEvent {
    const { schemaVersion, data } = this.registry.upcast(row.type, row.schema_version, row.data);
    return {
      position: Number(row.position),
      eventId: row.event_id,
      tenantId: row.tenant_id,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      version: row.version,
      type: row.type,
      schemaVersion,
      data,
      metadata: row.metadata,
      occurredAt: row.occurred_at,
      recordedAt: row.recorded_at,
      transactionId: row.transaction_id,
    };
  }

  /** An event about to be appended at `version`: all it will be stored as but its place in the log. */
  pendingOf(stream: StreamId, event: PreparedEvent, version: number): PendingEvent {
    // Properties are listed, not spread: on the append path a spread cost more than the rest of the mapping.
    return {
      tenantId: stream.tenantId,
      aggregateType: stream.aggregateType,
      aggregateId: stream.aggregateId,
      version,
      eventId: event.eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata,
      occurredAt: event.occurredAt,
    };
  }

  fromAppend(stream: StreamId, event: PreparedEvent, place: StoredPlace): RecordedEvent {
    // Object.assign of the three place fields: ~60 ns an event, against ~70 µs an appended event costs.
    return Object.assign(this.pendingOf(stream, event, place.version), {
      position: place.position,
      recordedAt: place.recordedAt,
      transactionId: place.transactionId,
    });
  }
}
