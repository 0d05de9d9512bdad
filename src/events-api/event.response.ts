import type { RecordedEvent } from '../event-sourcing/index.js';

/** An event as the events API shows it (field names of the 001 contract, plus `version`). */
export interface EventResponse {
  readonly id: string;
  readonly practiceId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly eventType: string;
  readonly payload: unknown;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly createdAt: string;
  readonly version: number;
}

export const toEventResponse = (event: RecordedEvent): EventResponse => ({
  id: event.eventId,
  practiceId: event.tenantId,
  aggregateType: event.aggregateType,
  aggregateId: event.aggregateId,
  eventType: event.type,
  payload: event.data,
  actorType: event.metadata.actor.type,
  actorId: event.metadata.actor.id,
  createdAt: event.recordedAt.toISOString(),
  version: event.version,
});
