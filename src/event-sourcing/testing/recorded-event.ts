import type { DomainEvent } from '../domain/decider.js';
import type { EventOf, RecordedEvent } from '../store/event-envelope.js';

/** Where and when a test event was recorded; any field a test does not care about has a fixed default. */
export type RecordedEventOverrides = Partial<Omit<RecordedEvent, 'type' | 'data'>>;

/**
 * An event as the store hands it to a projection or a reactor, built from a domain event:
 * the n-th of its stream (`version`, 1 by default) with a position, id and times derived
 * from it, so tests stay exact. Only what a test cares about needs saying.
 */
export const recordedEvent = <E extends DomainEvent>(event: E, overrides: RecordedEventOverrides = {}): EventOf<E> => {
  const version = overrides.version ?? 1;
  const at = overrides.occurredAt ?? new Date('2027-01-01T09:00:00.000Z');
  return {
    tenantId: 'tenant-1',
    aggregateType: 'aggregate',
    aggregateId: 'aggregate-1',
    position: 100 + version,
    eventId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`,
    schemaVersion: 1,
    metadata: { actor: { type: 'human', id: 'user-1' } },
    recordedAt: at,
    transactionId: String(1000 + version),
    ...overrides,
    version,
    occurredAt: at,
    type: event.type,
    data: event.data,
  } as EventOf<E>; // E's type and data, as the store would hand them back
};
