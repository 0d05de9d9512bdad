import type { IEvent } from '@nestjs/cqrs';
import type { RecordedEvent } from '../store/event-envelope.js';

/**
 * Published on the Nest EventBus after an append commits: in-process notification only.
 * Anything that must survive a crash reads the event store from a checkpoint instead.
 */
export class EventRecorded implements IEvent {
  constructor(readonly event: RecordedEvent) {}
}
