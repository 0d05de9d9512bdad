import type { NewEvent, RecordedEvent, StreamId } from './event-envelope.js';
import type { ExpectedVersion } from './expected-version.js';
import type { LogCursor } from './log-cursor.js';
import type { PersonalFieldsView } from '../personal-data/personal-fields.js';

export interface AppendOptions {
  readonly expectedVersion?: ExpectedVersion;
}

export interface AppendResult {
  /** The stream's version after the append (or after the original append, for a retry). */
  readonly nextExpectedVersion: number;
  readonly events: readonly RecordedEvent[];
  /** True when every event id was already stored: nothing was written. */
  readonly duplicate: boolean;
}

export interface ReadStreamOptions {
  readonly direction?: 'forward' | 'backward';
  /** Forward: first version to return; backward: last version to return. */
  readonly fromVersion?: number;
  /** Forward only: last version to return (temporal query by version). */
  readonly toVersion?: number;
  /** Only events recorded at or before this time (temporal query by time). */
  readonly until?: Date;
  readonly limit?: number;
}

export interface ReadByTypeOptions {
  /** Continue after this event (paging cursor, in the same commit-safe order as `readAll`). */
  readonly after?: LogCursor;
  readonly limit?: number;
}

export interface ReadAllOptions {
  /** Start after this cursor; omitted means from the beginning. */
  readonly after?: LogCursor;
  readonly limit?: number;
  /** `redacted` for a reader that keeps no personal data (see `PersonalFieldsView`); `opened` when omitted. */
  readonly personalFields?: PersonalFieldsView;
}

export interface GlobalPage {
  readonly events: readonly RecordedEvent[];
  /** Where the next read continues; unchanged when nothing was returned. */
  readonly cursor: LogCursor;
}

/**
 * The event store contract, met by the PostgreSQL store and the in-memory store alike
 * (one contract suite runs against both).
 */
export interface EventStore {
  append(stream: StreamId, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(stream: StreamId, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The stored event with this id (upcast like every read), or null. */
  findEvent(eventId: string): Promise<RecordedEvent | null>;
  /** Current version of a stream; 0 when it has no events. */
  streamVersion(stream: StreamId): Promise<number>;
  readByType(tenantId: string, type: string, options?: ReadByTypeOptions): Promise<RecordedEvent[]>;
  /** A tenant's events of one business process (`metadata.correlationId`), in log order; at most `limit` (default 1,000). */
  readCorrelation(tenantId: string, correlationId: string, options?: { readonly limit?: number }): Promise<RecordedEvent[]>;
  /**
   * A tenant's events that name a subject of personal data (in the subject field their type
   * registers), in log order, personal fields opened: what a subject's data export holds.
   */
  readSubject(tenantId: string, subjectId: string, options?: ReadByTypeOptions): Promise<RecordedEvent[]>;
  /**
   * Moves whenever a subject is forgotten (here or, heard through PostgreSQL, in another
   * process): a cache of what was folded from events must not outlive a move, or it would
   * keep personal data that now reads as redacted. Null while this process may miss a
   * forgetting (its LISTEN connection is down): then such a cache must keep nothing.
   */
  personalDataEpoch(): number | null;
  /**
   * Pages the global log in commit-safe order: never returns an event while an older
   * transaction that could still commit before it is open, so a reader following the
   * cursor neither skips nor repeats an event.
   */
  readAll(options?: ReadAllOptions): Promise<GlobalPage>;
}

export const DEFAULT_READ_LIMIT = 100;
export const MAX_READ_LIMIT = 10_000;
