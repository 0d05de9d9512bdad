import type { Pool, PoolClient } from 'pg';
import { SUBJECT_KEY_GONE, subjectKeysHeld, subjectKeyWrites } from '../personal-data/subject-key-writes.js';
import type { SealedEvents } from '../personal-data/personal-data.js';
import { AppendGroup, type AppendGroupOptions, type GroupableAppend } from './append-group.js';
import { withSideWrites, type AppendSideWrite, type PendingEvent } from './append-side-write.js';
import { appendStatement, type AppendRow, type AppendStatement } from './append-statement.js';
import type { PersonalData } from '../personal-data/personal-data.js';
import type { NewEvent, RecordedEvent, StreamId } from './event-envelope.js';
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
import { ConcurrencyError, EventIdReused, SubjectKeyGone } from './event-store.errors.js';
import { isExpectedVersionMet, type ExpectedVersion } from './expected-version.js';
import { compareLogCursors, LOG_START, type LogCursor } from './log-cursor.js';
import { prepareEvents, UUID, type PreparedEvent } from './prepared-event.js';
import {
  EVENT_ROW_COLUMNS,
  eventRowOf,
  RecordedEventMapper,
  STREAM_ROW_COLUMNS,
  streamRowsOf,
  type EventRow,
  type EventRowArray,
  type StreamRowArray,
} from './recorded-event.mapper.js';
import { withClient } from './with-client.js';

const COLUMNS = EVENT_ROW_COLUMNS;

// `until` compares at millisecond precision, the precision of `RecordedEvent.recordedAt`:
// reading up to an event's recordedAt must include that event (recorded_at keeps microseconds).
// The stream reads take the first millisecond after it (`recordedBefore`): `recorded_at < $6`
// is that test without truncating every row's time (date_trunc of a timestamptz goes through
// its calendar fields, ~0.5 µs a row).
const SQL = {
  streamVersion: `SELECT coalesce(max(version), 0)::integer AS version FROM events
    WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3`,
  byEventIds: `SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY position`,
  // Committed events only (a read, not a tail): log order is transaction then position.
  byCorrelation: `SELECT ${COLUMNS} FROM events
    WHERE tenant_id = $1 AND metadata->>'correlationId' = $2
    ORDER BY events.transaction_id, events.position LIMIT $3`,
  // Committed events only (an export, not a tail), by the payload field naming the subject.
  bySubject: `SELECT ${COLUMNS} FROM events
    WHERE tenant_id = $1 AND type = ANY($2::text[]) AND data->>$3 = $4
      AND (transaction_id, position) > ($5::text::xid8, $6::bigint)
    ORDER BY events.transaction_id, events.position LIMIT $7`,
  // The stream reads leave out the stream's own columns (`STREAM_ROW_COLUMNS`).
  streamForward: `SELECT ${STREAM_ROW_COLUMNS} FROM events
    WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3
      AND version BETWEEN $4 AND $5 AND recorded_at < $6
    ORDER BY version LIMIT $7`,
  streamBackward: `SELECT ${STREAM_ROW_COLUMNS} FROM events
    WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3
      AND version <= $4 AND recorded_at < $5
    ORDER BY version DESC LIMIT $6`,
  // Both log reads stop below the oldest open transaction: see LogCursor. They order by the
  // qualified columns: a bare `transaction_id` would name the text alias of COLUMNS, and text
  // order puts transaction 1000 before 999.
  byType: `SELECT ${COLUMNS} FROM events
    WHERE tenant_id = $1 AND type = $2 AND (transaction_id, position) > ($3::text::xid8, $4::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY events.transaction_id, events.position LIMIT $5`,
  all: `SELECT ${COLUMNS} FROM events
    WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY events.transaction_id, events.position LIMIT $3`,
} as const;

type StreamRead = 'streamForward' | 'streamBackward';
type EventRead = Exclude<keyof typeof SQL, 'streamVersion' | StreamRead>;

const UNIQUE_VIOLATION = '23505';
const STREAM_VERSION_KEY = 'events_stream_version_key';
/** The events table's unique keys: violating one means another append won a race (or this one is a retry). */
const EVENT_KEYS: readonly (string | undefined)[] = [STREAM_VERSION_KEY, 'events_event_id_key'];
const MAX_VERSION = 2_147_483_647;
const DEFAULT_CORRELATION_LIMIT = 1_000;

const cursorOfRow = (row: EventRow): LogCursor => ({ transactionId: row.transaction_id, position: Number(row.position) });

/** The last time a Date can hold (ms since 1970). */
const MAX_DATE_MS = 8.64e15;

/** What a stream read's `recorded_at` must be below: the millisecond after `until`, or past every time. */
const recordedBefore = (until: Date | undefined): Date | 'infinity' =>
  until === undefined || until.getTime() >= MAX_DATE_MS ? 'infinity' : new Date(until.getTime() + 1);

/** Only caller-chosen event ids can repeat an earlier append; generated ones never do. */
const suppliesIds = (events: readonly NewEvent[]): boolean => events.some((e) => e.eventId !== undefined);

const clampLimit = (limit: number | undefined, fallback: number | null): number | null => {
  if (limit === undefined) return fallback;
  return Math.max(1, Math.min(MAX_READ_LIMIT, Math.trunc(limit)));
};

export interface PostgresEventStoreOptions {
  /** Group commit of `appendWithWrites`; `maxAppends: 1` sends every append alone. */
  readonly appendGroup?: AppendGroupOptions;
  /** Seals and opens personal fields; required when the registry declares any. */
  readonly personalData?: PersonalData;
}

export const DEFAULT_APPEND_GROUP: AppendGroupOptions = { inFlight: 1, maxAppends: 32 };

/**
 * The PostgreSQL event store. Each append is one statement (one round trip, one implicit
 * transaction) unless the caller passes its own transaction through `appendWithin`.
 */
export class PostgresEventStore implements EventStore {
  private readonly mapper: RecordedEventMapper;
  private readonly group: AppendGroup;

  constructor(
    private readonly pool: Pool,
    private readonly registry: EventRegistry,
    /** Called after an append of its own commits (not for `appendWithin`, whose caller commits). */
    private readonly onAppended: () => void = () => undefined,
    options: PostgresEventStoreOptions = {},
  ) {
    this.mapper = new RecordedEventMapper(registry, options.personalData);
    this.group = new AppendGroup(pool, options.appendGroup ?? DEFAULT_APPEND_GROUP);
  }

  async append(stream: StreamId, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const prepared = prepareEvents(this.registry, stream, events, options.expectedVersion);
    const mayBeRetry = suppliesIds(events);
    const expected = options.expectedVersion ?? 'any';
    return this.sealedAgainIfKeyGone(stream, prepared, async (sealed) => {
      const statement = withSideWrites(appendStatement(stream, expected, sealed.events, mayBeRetry), keyWrites(sealed));
      const result = await this.appendAndCommit(stream, sealed.events, statement, expected, mayBeRetry);
      if (!result.duplicate) this.mapper.stored(sealed.newKeys);
      return result;
    });
  }

  /**
   * Seals `prepared` and appends it. If a key stored before that the append sealed with was
   * deleted meanwhile (its subject forgotten: the append held it and failed), that key is
   * dropped and the events are sealed again, under a new key.
   */
  private async sealedAgainIfKeyGone<T>(stream: StreamId, prepared: readonly PreparedEvent[], append: (sealed: SealedEvents) => Promise<T>): Promise<T> {
    for (;;) {
      const sealed = this.mapper.seal(stream.tenantId, prepared);
      try {
        return await append(sealed);
      } catch (error) {
        if (!isSubjectKeyGone(error) || sealed.keptKeys.length === 0) throw error;
        this.mapper.lost(sealed.keptKeys);
      }
    }
  }

  /**
   * Appends inside a transaction the caller has opened on `client` (e.g. to commit inline
   * projections with the events). A lost race aborts that transaction: the caller rolls
   * back and may retry the whole unit of work.
   */
  async appendWithin(
    client: PoolClient,
    stream: StreamId,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    // The caller commits: keys made here are stored with the events but not kept for later appends.
    const sealed = this.mapper.seal(stream.tenantId, prepareEvents(this.registry, stream, events, options.expectedVersion));
    const mayBeRetry = suppliesIds(events);
    const expected = options.expectedVersion ?? 'any';
    const statement = withSideWrites(appendStatement(stream, expected, sealed.events, mayBeRetry), keyWrites(sealed));
    try {
      return await this.appendPrepared(client, stream, sealed.events, statement, expected, false, mayBeRetry);
    } catch (error) {
      if (!isSubjectKeyGone(error)) throw error;
      // The caller's transaction is aborted: it runs its unit of work again, sealing under a new key.
      this.mapper.lost(sealed.keptKeys);
      throw new SubjectKeyGone();
    }
  }

  /**
   * Appends at exactly `expectedVersion` together with writes that must commit with the
   * events (an inline read model, a snapshot), all in one statement: one round trip and no
   * explicit transaction. `writesFor` gets the events as they will be stored, versions
   * included; its writes run only if the append is accepted, and any error in them fails
   * the append. Refusals, races and retries are answered as by `append`.
   *
   * Under load the append may share its statement with others (group commit, `AppendGroup`);
   * its answer is the one it would have had alone.
   */
  async appendWithWrites(
    stream: StreamId,
    events: readonly NewEvent[],
    expectedVersion: number,
    writesFor: (pending: readonly PendingEvent[]) => readonly AppendSideWrite[],
  ): Promise<AppendResult> {
    const mayBeRetry = suppliesIds(events);
    const unsealed = prepareEvents(this.registry, stream, events, expectedVersion);
    return this.sealedAgainIfKeyGone(stream, unsealed, async (sealed) => {
      const prepared = sealed.events;
      const pending = prepared.map((event, index) => this.mapper.pendingOf(stream, event, expectedVersion + index + 1));
      const writes = [...writesFor(pending), ...keyWrites(sealed)];
      const alone = async (): Promise<AppendResult> => {
        const statement = withSideWrites(appendStatement(stream, expectedVersion, prepared, mayBeRetry), writes);
        return this.appendAndCommit(stream, prepared, statement, expectedVersion, mayBeRetry);
      };
      const result = await this.appendWithGroup({ stream, expectedVersion, events: prepared, writes, alone }, mayBeRetry);
      if (!result.duplicate) this.mapper.stored(sealed.newKeys);
      return result;
    });
  }

  /** Sends an append through the group commit when it can share a statement; alone otherwise. */
  private async appendWithGroup(
    append: Omit<GroupableAppend<AppendResult>, 'streamKey'>,
    mayBeRetry: boolean,
  ): Promise<AppendResult> {
    const { stream, events, writes, alone } = append;
    if (!AppendGroup.accepts(writes, mayBeRetry)) return alone();
    const streamKey = JSON.stringify([stream.tenantId, stream.aggregateType, stream.aggregateId]);
    const outcome = await this.group.send({ ...append, streamKey });
    if (outcome === 'again') return alone();
    if ('result' in outcome) return outcome.result;
    this.onAppended();
    return this.appended(stream, events, outcome.rows);
  }

  async readStream(stream: StreamId, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const until = recordedBefore(options.until);
    const limit = clampLimit(options.limit, null);
    const keys = [stream.tenantId, stream.aggregateType, stream.aggregateId];
    const [statement, values]: [StreamRead, unknown[]] =
      options.direction === 'backward'
        ? ['streamBackward', [...keys, options.fromVersion ?? MAX_VERSION, until, limit]]
        : ['streamForward', [...keys, options.fromVersion ?? 1, options.toVersion ?? MAX_VERSION, until, limit]];
    const rows = await this.arrayRows<StreamRowArray>(this.pool, statement, values);
    return this.mapper.recordedOf(streamRowsOf(stream, rows));
  }

  async streamVersion(stream: StreamId): Promise<number> {
    const result = await this.pool.query<{ version: number }>(SQL.streamVersion, [
      stream.tenantId,
      stream.aggregateType,
      stream.aggregateId,
    ]);
    return result.rows[0].version;
  }

  async findEvent(eventId: string): Promise<RecordedEvent | null> {
    if (!UUID.test(eventId)) return null;
    const rows = await this.read(this.pool, 'byEventIds', [[eventId]]);
    return rows[0] ? (await this.mapper.recordedOf(rows))[0] : null;
  }

  async readByType(tenantId: string, type: string, options: ReadByTypeOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? LOG_START;
    const rows = await this.read(this.pool, 'byType', [
      tenantId,
      type,
      after.transactionId,
      after.position,
      clampLimit(options.limit, DEFAULT_READ_LIMIT),
    ]);
    return this.mapper.recordedOf(rows);
  }

  async readCorrelation(tenantId: string, correlationId: string, options: { readonly limit?: number } = {}): Promise<RecordedEvent[]> {
    const limit = clampLimit(options.limit, DEFAULT_CORRELATION_LIMIT);
    return this.mapper.recordedOf(await this.read(this.pool, 'byCorrelation', [tenantId, correlationId, limit]));
  }

  async readSubject(tenantId: string, subjectId: string, options: ReadByTypeOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? LOG_START;
    const limit = clampLimit(options.limit, DEFAULT_READ_LIMIT)!;
    const rows: EventRow[] = [];
    for (const [field, types] of this.registry.typesBySubjectField()) {
      const values = [tenantId, types, field, subjectId, after.transactionId, after.position, limit];
      rows.push(...(await this.read(this.pool, 'bySubject', values)));
    }
    // One query per subject field: merged into log order (transaction, then position).
    rows.sort((a, b) => compareLogCursors(cursorOfRow(a), cursorOfRow(b)));
    return this.mapper.recordedOf(rows.slice(0, limit));
  }

  personalDataEpoch(): number | null {
    return this.mapper.personalDataEpoch();
  }

  async readAll(options: ReadAllOptions = {}): Promise<GlobalPage> {
    const after = options.after ?? LOG_START;
    const rows = await this.read(this.pool, 'all', [
      after.transactionId,
      after.position,
      clampLimit(options.limit, DEFAULT_READ_LIMIT),
    ]);
    const events = await this.mapper.recordedOf(rows, options.personalFields);
    const last = events.at(-1);
    return { events, cursor: last ? { transactionId: last.transactionId, position: last.position } : after };
  }

  /** Runs an append statement as its own transaction, retrying races as `append` promises. */
  private async appendAndCommit(
    stream: StreamId,
    events: readonly PreparedEvent[],
    statement: AppendStatement,
    expected: ExpectedVersion,
    mayBeRetry: boolean,
  ): Promise<AppendResult> {
    // A checked-out client survives a failed statement; pool.query() would discard it.
    return withClient(this.pool, async (client) => {
      const result = await this.appendPrepared(client, stream, events, statement, expected, true, mayBeRetry);
      if (!result.duplicate) this.onAppended();
      return result;
    });
  }

  private async appendPrepared(
    client: PoolClient,
    stream: StreamId,
    events: readonly PreparedEvent[],
    statement: AppendStatement,
    expected: ExpectedVersion,
    retryRaces: boolean,
    mayBeRetry: boolean,
  ): Promise<AppendResult> {
    // `any` must not fail because another writer took the next version first: retry it, as
    // often as it takes. Each such violation means another append committed that version, so
    // the retries end; a fixed number of attempts lost appends under contention.
    for (;;) {
      let rows: AppendRow[];
      try {
        rows = (await client.query<AppendRow>(statement)).rows;
      } catch (error) {
        const { code, constraint } = error as { code?: string; constraint?: string };
        // A unique key of a side write's table is the writer's bug, not a race.
        if (code !== UNIQUE_VIOLATION || !retryRaces || !EVENT_KEYS.includes(constraint)) throw error;
        const stored = mayBeRetry ? await this.storedWithIds(client, events) : [];
        const duplicate = await this.duplicateOf(stream, events, stored);
        if (duplicate) return duplicate;
        if (expected === 'any' && constraint === STREAM_VERSION_KEY) continue;
        throw new ConcurrencyError(stream, expected, await this.versionOn(client, stream));
      }
      if (rows.length > 0) return this.appended(stream, events, rows);
      // Refused. Caller-chosen ids already stored: a retry of an earlier append (even one a
      // concurrent copy of this append committed a moment ago), or ids reused for other events.
      if (mayBeRetry) {
        const stored = await this.storedWithIds(client, events);
        const duplicate = await this.duplicateOf(stream, events, stored);
        if (duplicate) return duplicate;
        if (stored.length > 0) throw new EventIdReused(events.map((e) => e.eventId));
      }
      // Otherwise the version did not meet the expectation. It may have moved on since the
      // statement read it; if it meets the expectation now, the append can simply go again.
      const actual = await this.versionOn(client, stream);
      if (!isExpectedVersionMet(expected, actual)) throw new ConcurrencyError(stream, expected, actual);
    }
  }

  /** Rows come back in no promised order: each is matched to its event by version. */
  private appended(stream: StreamId, events: readonly PreparedEvent[], rows: readonly AppendRow[]): AppendResult {
    let firstVersion = MAX_VERSION;
    for (const row of rows) if (row.version < firstVersion) firstVersion = row.version;
    const recorded = new Array<RecordedEvent>(events.length);
    for (const row of rows) {
      const index = row.version - firstVersion;
      recorded[index] = this.mapper.fromAppend(stream, events[index], {
        position: Number(row.position),
        version: row.version,
        recordedAt: new Date(row.recorded_at),
        transactionId: row.transaction_id,
      });
    }
    return { nextExpectedVersion: firstVersion + events.length - 1, duplicate: false, events: recorded };
  }

  /** Rows of one of the reads (see `EVENT_ROW_COLUMNS`), as `EventRow`s. */
  private async read(client: Pool | PoolClient, statement: EventRead, values: unknown[]): Promise<EventRow[]> {
    return (await this.arrayRows<EventRowArray>(client, statement, values)).map(eventRowOf);
  }

  /** Rows of one of the reads, as arrays, by a statement prepared once per connection. */
  private async arrayRows<R extends unknown[]>(
    client: Pool | PoolClient,
    statement: EventRead | StreamRead,
    values: unknown[],
  ): Promise<R[]> {
    const text = SQL[statement];
    const { rows } = await client.query<R>({ name: `chronicle_read_${statement}`, text, values, rowMode: 'array' });
    return rows;
  }

  private async storedWithIds(client: PoolClient, events: readonly PreparedEvent[]): Promise<EventRow[]> {
    return this.read(client, 'byEventIds', [events.map((e) => e.eventId)]);
  }

  /** The stored events of a retried append, if every id is stored on this stream with the same type. */
  private async duplicateOf(
    stream: StreamId,
    events: readonly PreparedEvent[],
    stored: readonly EventRow[],
  ): Promise<AppendResult | null> {
    if (stored.length === 0) return null;
    const byId = new Map(stored.map((row) => [row.event_id, row]));
    const matches = events.every((event) => {
      const row = byId.get(event.eventId);
      return (
        row !== undefined &&
        row.type === event.type &&
        row.tenant_id === stream.tenantId &&
        row.aggregate_type === stream.aggregateType &&
        row.aggregate_id === stream.aggregateId
      );
    });
    if (!matches) return null;
    const recorded = await this.mapper.recordedOf(events.map((event) => byId.get(event.eventId)!));
    return { nextExpectedVersion: Math.max(...recorded.map((e) => e.version)), duplicate: true, events: recorded };
  }

  private async versionOn(client: PoolClient, stream: StreamId): Promise<number> {
    const result = await client.query<{ version: number }>(SQL.streamVersion, [
      stream.tenantId,
      stream.aggregateType,
      stream.aggregateId,
    ]);
    return result.rows[0].version;
  }
}

/** The key writes of a sealed append: the new keys it stores, and its turn with forgettings of every subject it seals for. */
const keyWrites = (sealed: SealedEvents): AppendSideWrite[] => [
  ...subjectKeyWrites(sealed.newKeys),
  ...subjectKeysHeld(sealed.keptKeys, sealed.newKeys),
];

const isSubjectKeyGone = (error: unknown): boolean => (error as { code?: unknown }).code === SUBJECT_KEY_GONE;
