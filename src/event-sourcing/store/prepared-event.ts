import { randomUUID } from 'node:crypto';
import { ACTOR_TYPES, type EventMetadata, type NewEvent, type StreamId } from './event-envelope.js';
import type { EventRegistry } from './event-registry.js';
import { InvalidAppendRequest } from './event-store.errors.js';
import { isValidExpectedVersion } from './expected-version.js';

/** A new event checked against the registry, with every default filled in. */
export interface PreparedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  /** The data as it is written: `data` with personal fields sealed (see `PersonalData`). */
  readonly storedData: unknown;
  readonly metadata: EventMetadata;
  readonly occurredAt: Date;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ID_LENGTH = 255;
export const MAX_EVENTS_PER_APPEND = 1_000;

const checkIdentifier = (name: string, value: unknown): void => {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new InvalidAppendRequest(`${name} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
};

const checkMetadata = (metadata: EventMetadata | undefined): void => {
  const actor = metadata?.actor;
  if (!actor || !ACTOR_TYPES.includes(actor.type)) {
    throw new InvalidAppendRequest(`metadata.actor.type must be one of ${ACTOR_TYPES.join(', ')}`);
  }
  if (actor.id !== null && typeof actor.id !== 'string') {
    throw new InvalidAppendRequest('metadata.actor.id must be a string or null');
  }
};

/** The checks both stores make before writing anything, so they fail alike. */
export const prepareEvents = (
  registry: EventRegistry,
  stream: StreamId,
  events: readonly NewEvent[],
  expectedVersion: unknown = 'any',
  now: Date = new Date(),
): PreparedEvent[] => {
  if (!isValidExpectedVersion(expectedVersion)) {
    throw new InvalidAppendRequest('expectedVersion must be any, no_stream, stream_exists or a whole number from 0');
  }
  checkIdentifier('tenantId', stream.tenantId);
  checkIdentifier('aggregateType', stream.aggregateType);
  checkIdentifier('aggregateId', stream.aggregateId);
  if (events.length === 0) throw new InvalidAppendRequest('an append needs at least one event');
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidAppendRequest(`an append takes at most ${MAX_EVENTS_PER_APPEND} events`);
  }
  const prepared = events.map((event) => {
    registry.validate(event.type, event.data);
    checkMetadata(event.metadata);
    if (event.eventId !== undefined && !UUID.test(event.eventId)) {
      throw new InvalidAppendRequest(`eventId "${event.eventId}" is not a UUID`);
    }
    if (event.occurredAt !== undefined && Number.isNaN(event.occurredAt.getTime())) {
      throw new InvalidAppendRequest('occurredAt is not a valid date');
    }
    return {
      eventId: (event.eventId ?? randomUUID()).toLowerCase(),
      type: event.type,
      schemaVersion: registry.schemaVersionOf(event.type),
      data: event.data,
      storedData: event.data,
      metadata: event.metadata,
      occurredAt: event.occurredAt ?? now,
    };
  });
  // Generated ids are random UUIDs: only caller-chosen ones can repeat within a batch.
  const idsSupplied = events.some((event) => event.eventId !== undefined);
  if (idsSupplied && prepared.length > 1 && new Set(prepared.map((e) => e.eventId)).size !== prepared.length) {
    throw new InvalidAppendRequest('event ids within one append must be distinct');
  }
  return prepared;
};
