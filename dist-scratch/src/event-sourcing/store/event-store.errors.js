import { describeExpectedVersion } from './expected-version.js';
import { streamKey } from './event-envelope.js';
/** Base of every error the store raises; `code` is stable and machine-readable. */
export class EventStoreError extends Error {
    constructor(message) {
        super(message);
        this.name = new.target.name;
    }
}
export class ConcurrencyError extends EventStoreError {
    stream;
    expectedVersion;
    actualVersion;
    code = 'CONCURRENCY_CONFLICT';
    constructor(stream, expectedVersion, actualVersion) {
        super(`Stream ${streamKey(stream)} expected ${describeExpectedVersion(expectedVersion)} but is at version ${actualVersion}`);
        this.stream = stream;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }
}
export class UnknownEventType extends EventStoreError {
    eventType;
    code = 'UNKNOWN_EVENT_TYPE';
    constructor(eventType) {
        super(`Event type "${eventType}" is not registered`);
        this.eventType = eventType;
    }
}
export class InvalidEventPayload extends EventStoreError {
    eventType;
    violations;
    code = 'INVALID_EVENT_PAYLOAD';
    constructor(eventType, violations) {
        super(`Invalid payload for "${eventType}": ` +
            violations.map((v) => `${v.field} (${v.constraints.join('; ')})`).join(', '));
        this.eventType = eventType;
        this.violations = violations;
    }
}
/** An append request that is malformed regardless of event types: no events, bad ids, bad actor. */
export class InvalidAppendRequest extends EventStoreError {
    reason;
    code = 'INVALID_APPEND_REQUEST';
    constructor(reason) {
        super(`Invalid append: ${reason}`);
        this.reason = reason;
    }
}
export class StreamNotFound extends EventStoreError {
    stream;
    code = 'STREAM_NOT_FOUND';
    constructor(stream) {
        super(`Stream ${streamKey(stream)} does not exist`);
        this.stream = stream;
    }
}
/** An append whose event ids were partly stored before: a retry that does not match. */
export class EventIdReused extends EventStoreError {
    eventIds;
    code = 'EVENT_ID_REUSED';
    constructor(eventIds) {
        super(`Event ids already stored with different content or stream: ${eventIds.join(', ')}`);
        this.eventIds = eventIds;
    }
}
//# sourceMappingURL=event-store.errors.js.map