import { InMemorySubjectKeys } from '../personal-data/in-memory-subject-keys.js';
import { PersonalData } from '../personal-data/personal-data.js';
import type { PersonalFieldsView } from '../personal-data/personal-fields.js';
import type { NewEvent, RecordedEvent, StreamId } from './event-envelope.js';
import { streamKey } from './event-envelope.js';
import type { EventRegistry } from './event-registry.js';
import {
  DEFAULT_READ_LIMIT,
  MAX_READ_LIMIT,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type GlobalPage,
  type ReadAllOptions,
  type ReadByTypeOptions,
  type ReadStreamOptions,
} from './event-store.js';
import { ConcurrencyError, EventIdReused } from './event-store.errors.js';
import { isExpectedVersionMet } from './expected-version.js';
import { compareLogCursors, LOG_START, type LogCursor } from './log-cursor.js';
import { prepareEvents } from './prepared-event.js';

/** The stored events, as written; several stores (e.g. with different registries) may share one. */
export class InMemoryEventLog {
  readonly events: RecordedEvent[] = [];
  readonly streams = new Map<string, RecordedEvent[]>();
  readonly byId = new Map<string, RecordedEvent>();
  transactions = 0;
}

const limitOf = (limit: number | undefined, fallback: number): number =>
  limit === undefined ? fallback : Math.max(1, Math.min(MAX_READ_LIMIT, Math.trunc(limit)));

const cursorOf = (event: RecordedEvent): LogCursor => ({
  transactionId: event.transactionId,
  position: event.position,
});

/**
 * The event store contract in memory, for tests that need no database. Appends are atomic.
 * Personal fields are sealed as in PostgreSQL (with keys in memory unless given others).
 */
export class InMemoryEventStore implements EventStore {
  private readonly personalData: PersonalData;

  constructor(
    private readonly registry: EventRegistry,
    private readonly log: InMemoryEventLog = new InMemoryEventLog(),
    keys = new InMemorySubjectKeys(),
  ) {
    this.personalData = new PersonalData(registry, keys);
  }

  async append(stream: StreamId, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const { events: prepared, newKeys } = this.personalData.seal(
      stream.tenantId,
      prepareEvents(this.registry, stream, events, options.expectedVersion),
    );
    const already = prepared.map((e) => this.log.byId.get(e.eventId));
    if (already.some((e) => e !== undefined)) {
      const key = streamKey(stream);
      const retry = already.every((e, i) => e !== undefined && streamKey(e) === key && e.type === prepared[i].type);
      if (!retry) throw new EventIdReused(prepared.map((e) => e.eventId));
      const recorded = await this.read(already as RecordedEvent[]);
      return { nextExpectedVersion: Math.max(...recorded.map((e) => e.version)), duplicate: true, events: recorded };
    }
    const expected = options.expectedVersion ?? 'any';
    const history = this.log.streams.get(streamKey(stream)) ?? [];
    if (!isExpectedVersionMet(expected, history.length)) {
      throw new ConcurrencyError(stream, expected, history.length);
    }
    const transactionId = String(++this.log.transactions);
    const recordedAt = new Date();
    const stored = prepared.map(
      (event, index): RecordedEvent => ({
        ...stream,
        position: this.log.events.length + index + 1,
        eventId: event.eventId,
        version: history.length + index + 1,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: structuredClone(event.storedData),
        metadata: structuredClone(event.metadata),
        occurredAt: event.occurredAt,
        recordedAt,
        transactionId,
      }),
    );
    this.log.events.push(...stored);
    this.log.streams.set(streamKey(stream), [...history, ...stored]);
    for (const event of stored) this.log.byId.set(event.eventId, event);
    this.personalData.stored(newKeys);
    // As appended, with the data as given (not as stored), like the PostgreSQL store's answer.
    const recorded = stored.map((event, index) => ({ ...event, data: structuredClone(prepared[index].data) }));
    return { nextExpectedVersion: history.length + recorded.length, duplicate: false, events: recorded };
  }

  async readStream(stream: StreamId, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const until = options.until?.getTime() ?? Infinity;
    const history = (this.log.streams.get(streamKey(stream)) ?? []).filter((e) => e.recordedAt.getTime() <= until);
    const selected =
      options.direction === 'backward'
        ? history.filter((e) => e.version <= (options.fromVersion ?? Infinity)).reverse()
        : history.filter((e) => e.version >= (options.fromVersion ?? 1) && e.version <= (options.toVersion ?? Infinity));
    const limited = options.limit === undefined ? selected : selected.slice(0, limitOf(options.limit, 0));
    return this.read(limited);
  }

  async findEvent(eventId: string): Promise<RecordedEvent | null> {
    const event = this.log.byId.get(eventId.toLowerCase());
    return event ? (await this.read([event]))[0] : null;
  }

  async streamVersion(stream: StreamId): Promise<number> {
    return this.log.streams.get(streamKey(stream))?.length ?? 0;
  }

  async readByType(tenantId: string, type: string, options: ReadByTypeOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? LOG_START;
    return this.read(
      this.log.events
        .filter((e) => e.tenantId === tenantId && e.type === type && compareLogCursors(cursorOf(e), after) > 0)
        .slice(0, limitOf(options.limit, DEFAULT_READ_LIMIT)),
    );
  }

  async readCorrelation(tenantId: string, correlationId: string, options: { readonly limit?: number } = {}): Promise<RecordedEvent[]> {
    return this.read(
      this.log.events
        .filter((e) => e.tenantId === tenantId && e.metadata.correlationId === correlationId)
        .slice(0, limitOf(options.limit, 1_000)),
    );
  }

  async readSubject(tenantId: string, subjectId: string, options: ReadByTypeOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? LOG_START;
    const names = (e: RecordedEvent): boolean => {
      const subject = this.registry.personalFieldsOf(e.type)?.subject;
      return subject !== undefined && (e.data as Record<string, unknown>)[subject] === subjectId;
    };
    return this.read(
      this.log.events
        .filter((e) => e.tenantId === tenantId && names(e) && compareLogCursors(cursorOf(e), after) > 0)
        .slice(0, limitOf(options.limit, DEFAULT_READ_LIMIT)),
    );
  }

  personalDataEpoch(): number | null {
    return this.personalData.epoch();
  }

  async readAll(options: ReadAllOptions = {}): Promise<GlobalPage> {
    const after = options.after ?? LOG_START;
    const events = await this.read(
      this.log.events.filter((e) => compareLogCursors(cursorOf(e), after) > 0).slice(0, limitOf(options.limit, DEFAULT_READ_LIMIT)),
      options.personalFields,
    );
    const last = events.at(-1);
    return { events, cursor: last ? cursorOf(last) : after };
  }

  /** Copies of stored events as every read returns them: personal fields opened (or as `view` says), data upcast. */
  private async read(events: readonly RecordedEvent[], view: PersonalFieldsView = 'opened'): Promise<RecordedEvent[]> {
    const copies = events.map((event) => ({ ...event, data: structuredClone(event.data), metadata: structuredClone(event.metadata) }));
    await this.personalData.show(copies, view);
    return copies.map((event) => ({ ...event, ...this.registry.upcast(event.type, event.schemaVersion, event.data) }));
  }
}
