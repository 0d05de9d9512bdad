import type { InvalidEventPayload } from '../store/event-store.errors.js';

/**
 * An event an aggregate decided that its own payload schema refuses: the aggregate's bug, not
 * the caller's (whose command passed its own checks). So no 400, which would tell the caller to
 * fix a request it cannot fix, but a 500, logged with the aggregate, the event and its fields.
 * The events API checks a caller's payload before deciding, and answers that one with a 400.
 */
export class DecidedEventInvalid extends Error {
  constructor(aggregateType: string, invalid: InvalidEventPayload) {
    super(`The ${aggregateType} aggregate decided an event its own payload schema refuses. ${invalid.message}`, { cause: invalid });
    this.name = 'DecidedEventInvalid';
  }
}
