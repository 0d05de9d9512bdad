import { describeExpectedVersion, type ExpectedVersion } from './expected-version.js';
import { streamKey, type StreamId } from './event-envelope.js';
import { firstOf, type FieldViolation } from './field-violations.js';

/** Base of every error the store raises; `code` is stable and machine-readable. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConcurrencyError extends EventStoreError {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly stream: StreamId,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
  ) {
    super(
      `Stream ${streamKey(stream)} expected ${describeExpectedVersion(expectedVersion)} but is at version ${actualVersion}`,
    );
  }
}

export class UnknownEventType extends EventStoreError {
  readonly code = 'UNKNOWN_EVENT_TYPE';
  constructor(readonly eventType: string) {
    super(`Event type "${eventType}" is not registered`);
  }
}

export class InvalidEventPayload extends EventStoreError {
  readonly code = 'INVALID_EVENT_PAYLOAD';
  constructor(
    readonly eventType: string,
    readonly violations: readonly FieldViolation[],
  ) {
    super(
      `Invalid payload for "${eventType}": ` +
        firstOf(violations.map((v) => `${v.field} (${v.constraints.join('; ')})`)),
    );
  }
}

/** An append request that is malformed regardless of event types: no events, bad ids, bad actor. */
export class InvalidAppendRequest extends EventStoreError {
  readonly code = 'INVALID_APPEND_REQUEST';
  constructor(readonly reason: string) {
    super(`Invalid append: ${reason}`);
  }
}

export class StreamNotFound extends EventStoreError {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(readonly stream: StreamId) {
    super(`Stream ${streamKey(stream)} does not exist`);
  }
}

/**
 * An append in a caller's transaction sealed personal data with a key whose subject was
 * forgotten meanwhile: nothing was stored, and the key is no longer used. Running the unit of
 * work again seals under a new key.
 */
export class SubjectKeyGone extends EventStoreError {
  readonly code = 'SUBJECT_KEY_GONE';
  constructor() {
    super('A key this append sealed personal data with was deleted meanwhile (its subject was forgotten); try again');
  }
}

/** An append whose event ids were partly stored before: a retry that does not match. */
export class EventIdReused extends EventStoreError {
  readonly code = 'EVENT_ID_REUSED';
  constructor(readonly eventIds: readonly string[]) {
    super(`Event ids already stored with different content or stream: ${eventIds.join(', ')}`);
  }
}
