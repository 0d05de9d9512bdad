import type { Options } from 'amqplib';
import type { EventMetadata, RecordedEvent, StreamId } from '../store/event-envelope.js';

/** The body of every message the relay publishes: the event as JSON, times as ISO strings. */
export interface RelayedEvent {
  readonly eventId: string;
  readonly stream: StreamId;
  readonly version: number;
  /** Its place in the global log (increasing in log order within a stream). */
  readonly position: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly occurredAt: string;
  readonly recordedAt: string;
}

/** The headers every relayed message carries, so a consumer can route and trace it without parsing the body. */
export const RELAY_HEADERS = {
  eventId: 'event-id',
  type: 'event-type',
  schemaVersion: 'schema-version',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
} as const;

export interface RelayMessage {
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
}

/** `<tenant>.<aggregateType>.<type>`: e.g. bind `*.reservation.reservation.confirmed` for one type of every tenant. */
export const routingKeyOf = (event: Pick<RecordedEvent, 'tenantId' | 'aggregateType' | 'type'>): string =>
  `${event.tenantId}.${event.aggregateType}.${event.type}`;

export const relayedEvent = (event: RecordedEvent): RelayedEvent => ({
  eventId: event.eventId,
  stream: { tenantId: event.tenantId, aggregateType: event.aggregateType, aggregateId: event.aggregateId },
  version: event.version,
  position: event.position,
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  metadata: event.metadata,
  occurredAt: event.occurredAt.toISOString(),
  recordedAt: event.recordedAt.toISOString(),
});

/** How one event is published: persistent, its id as the message id (consumers deduplicate by it). */
export const relayMessage = (event: RecordedEvent): RelayMessage => {
  const { correlationId, causationId } = event.metadata;
  const headers: Record<string, string | number> = {
    [RELAY_HEADERS.eventId]: event.eventId,
    [RELAY_HEADERS.type]: event.type,
    [RELAY_HEADERS.schemaVersion]: event.schemaVersion,
  };
  // Absent ids are left out rather than sent empty: a consumer can tell "none" from "blank".
  if (correlationId !== undefined) headers[RELAY_HEADERS.correlationId] = correlationId;
  if (causationId !== undefined) headers[RELAY_HEADERS.causationId] = causationId;
  return {
    routingKey: routingKeyOf(event),
    content: Buffer.from(JSON.stringify(relayedEvent(event))),
    options: {
      persistent: true,
      messageId: event.eventId,
      type: event.type,
      contentType: 'application/json',
      timestamp: Math.floor(event.recordedAt.getTime() / 1000),
      appId: 'chronicle',
      ...(correlationId !== undefined && { correlationId }),
      headers,
    },
  };
};
