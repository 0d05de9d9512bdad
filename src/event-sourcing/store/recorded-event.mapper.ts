import type { PersonalData, SealedEvents } from '../personal-data/personal-data.js';
import type { PersonalFieldsView } from '../personal-data/personal-fields.js';
import type { KeptKeyUse, NewSubjectKey } from '../personal-data/subject-keys.js';
import type { PendingEvent } from './append-side-write.js';
import type { EventMetadata, RecordedEvent, StreamId } from './event-envelope.js';
import type { EventRegistry } from './event-registry.js';
import type { PreparedEvent } from './prepared-event.js';

/** A row of the events table as node-postgres returns it (bigint as text). */
export interface EventRow {
  position: string;
  event_id: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  occurred_at: Date;
  recorded_at: Date;
  transaction_id: string;
}

/**
 * A timestamptz column as epoch milliseconds, floored as pg's own parser truncates. Truncated to
 * the millisecond first, whose epoch as a double is within far less than half a millisecond of
 * the exact count, so rounding it gives that count exactly, for any date. Not `floor(extract(epoch
 * …) * 1000)`: extract returns numeric, and its three numeric operations cost PostgreSQL ~0.5 µs
 * a column of every row read. Not `floor(date_part(…) * 1000)`: a time on a whole millisecond may
 * come out a hair below it as a double, and floor a millisecond short. Left a double (a whole
 * number, exact to 2^53 ms): pg hands a bigint over as text it checks with a regex, garbage
 * for every time of every row, and a double as the number itself.
 */
export const epochMsSql = (column: string): string => `round(date_part('epoch', date_trunc('milliseconds', ${column})) * 1000)`;

/**
 * The columns of a stream read, in the order of `StreamRowArray`: every column of an event but
 * its stream's (tenant, aggregate type and id), which every row of the stream holds and the
 * reader already knows; three text columns fewer cost PostgreSQL less to send and pg less to
 * parse, row by row. Rows come as arrays (rowMode 'array': no object with a dozen dynamic keys
 * per row) and times as epoch milliseconds (`epochMsSql`): parsing timestamp text cost more in
 * Node than the rest of the row.
 */
export const STREAM_ROW_COLUMNS = `position, event_id, version, type, schema_version, data, metadata,
  ${epochMsSql('occurred_at')}, ${epochMsSql('recorded_at')}, transaction_id::text`;

/** The columns of the store's other reads, in the order of `EventRowArray`: a stream read's, then the stream's. */
export const EVENT_ROW_COLUMNS = `${STREAM_ROW_COLUMNS}, tenant_id, aggregate_type, aggregate_id`;

export type StreamRowArray = [
  position: string,
  eventId: string,
  version: number,
  type: string,
  schemaVersion: number,
  data: unknown,
  metadata: EventMetadata,
  occurredMs: number,
  recordedMs: number,
  transactionId: string,
];

export type EventRowArray = [...StreamRowArray, tenantId: string, aggregateType: string, aggregateId: string];

/** The row of an array read (which may select more columns after these), in the stream given. */
const rowIn = (
  r: readonly [...StreamRowArray, ...unknown[]],
  tenant_id: string,
  aggregate_type: string,
  aggregate_id: string,
): EventRow => ({
  position: r[0],
  event_id: r[1],
  tenant_id,
  aggregate_type,
  aggregate_id,
  version: r[2],
  type: r[3],
  schema_version: r[4],
  data: r[5],
  metadata: r[6],
  occurred_at: new Date(r[7]),
  recorded_at: new Date(r[8]),
  transaction_id: r[9],
});

/** The row of an array read (which may select more columns after these). */
export const eventRowOf = (r: readonly [...EventRowArray, ...unknown[]]): EventRow => rowIn(r, r[10], r[11], r[12]);

/**
 * The rows of a read of `stream` (`STREAM_ROW_COLUMNS`), as `EventRow`s. The stream's ids are
 * given as the rows hold them: as the statement's parameters reached PostgreSQL, in UTF-8,
 * where a lone surrogate became U+FFFD (the stored ids it matched hold U+FFFD, not the surrogate).
 */
export const streamRowsOf = (stream: StreamId, rows: readonly StreamRowArray[]): EventRow[] => {
  const tenantId = asSent(stream.tenantId);
  const aggregateType = asSent(stream.aggregateType);
  const aggregateId = asSent(stream.aggregateId);
  return rows.map((r) => rowIn(r, tenantId, aggregateType, aggregateId));
};

/** A text parameter as PostgreSQL received it: pg sends strings as UTF-8. */
const asSent = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

/** A recorded event while a read builds it: its data opened and upcast in place. */
type OpenedEvent = { -readonly [K in keyof RecordedEvent]: RecordedEvent[K] };

export interface StoredPlace {
  readonly position: number;
  readonly version: number;
  readonly recordedAt: Date;
  readonly transactionId: string;
}

/**
 * Translates between events and their stored form: seals personal fields on the way in;
 * opens them, and upcasts stored data to the current schema version, on the way out.
 */
export class RecordedEventMapper {
  constructor(
    private readonly registry: EventRegistry,
    private readonly personalData?: PersonalData,
  ) {}

  /** The events with their data as stored. Without `PersonalData`, a type with personal fields is refused. */
  seal(tenantId: string, events: readonly PreparedEvent[]): SealedEvents {
    if (this.personalData) return this.personalData.seal(tenantId, events);
    const personal = events.find((event) => this.registry.personalFieldsOf(event.type));
    if (personal) throw new Error(`"${personal.type}" has personal fields, and this store was given no PersonalData to seal them`);
    return { events, newKeys: [], keptKeys: [] };
  }

  personalDataEpoch(): number | null {
    // Without personal data nothing is sealed, so nothing is ever forgotten: 0 for good. Null is the keys' own answer.
    return this.personalData ? this.personalData.epoch() : 0;
  }

  /** Forgettings this process heard (`PersonalData.evictionCount`); 0 for good without personal data. */
  personalDataEvictions(): number {
    return this.personalData?.evictionCount() ?? 0;
  }

  /** An append found these kept keys deleted (`SubjectKeyGone`): seal with new ones. */
  lost(keys: readonly KeptKeyUse[]): void {
    this.personalData?.lost(keys);
  }

  /** The append that stored these keys committed. */
  stored(newKeys: readonly NewSubjectKey[]): void {
    this.personalData?.stored(newKeys);
  }

  /** Events of rows read from the store, personal fields shown as `view` says (opened: redacted only for a forgotten subject). */
  async recordedOf(rows: EventRow[], view: PersonalFieldsView = 'opened'): Promise<RecordedEvent[]> {
    await this.personalData?.show(rows, view);
    return rows.map((row) => this.toRecorded(row));
  }

  /**
   * Events of rows read as arrays (`EventRowArray`, maybe followed by more columns), personal
   * fields as `view` says: the same events as `recordedOf(rows.map(eventRowOf), view)`, each
   * built straight from its array, then opened (or redacted) and upcast in place. For reads of
   * many rows (a catch-up pages thousands at a time), where an `EventRow` apiece was garbage the
   * collector had to copy.
   */
  async recordedOfArrays(
    rows: readonly (readonly [...EventRowArray, ...unknown[]])[],
    view: PersonalFieldsView = 'opened',
  ): Promise<RecordedEvent[]> {
    const events = rows.map(
      (r): OpenedEvent => ({
        position: Number(r[0]),
        eventId: r[1],
        tenantId: r[10],
        aggregateType: r[11],
        aggregateId: r[12],
        version: r[2],
        type: r[3],
        // As stored, until upcast below: opening reads the data in its stored version.
        schemaVersion: r[4],
        data: r[5],
        metadata: r[6],
        occurredAt: new Date(r[7]),
        recordedAt: new Date(r[8]),
        transactionId: r[9],
      }),
    );
    await this.personalData?.show(events, view);
    for (const event of events) {
      const { schemaVersion, data } = this.registry.upcast(event.type, event.schemaVersion, event.data);
      event.schemaVersion = schemaVersion;
      event.data = data;
    }
    return events;
  }

  toRecorded(row: EventRow): RecordedEvent {
    const { schemaVersion, data } = this.registry.upcast(row.type, row.schema_version, row.data);
    return {
      position: Number(row.position),
      eventId: row.event_id,
      tenantId: row.tenant_id,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      version: row.version,
      type: row.type,
      schemaVersion,
      data,
      metadata: row.metadata,
      occurredAt: row.occurred_at,
      recordedAt: row.recorded_at,
      transactionId: row.transaction_id,
    };
  }

  /** An event about to be appended at `version`: all it will be stored as but its place in the log. */
  pendingOf(stream: StreamId, event: PreparedEvent, version: number): PendingEvent {
    // Properties are listed, not spread: on the append path a spread cost more than the rest of the mapping.
    return {
      tenantId: stream.tenantId,
      aggregateType: stream.aggregateType,
      aggregateId: stream.aggregateId,
      version,
      eventId: event.eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata,
      occurredAt: event.occurredAt,
    };
  }

  fromAppend(stream: StreamId, event: PreparedEvent, place: StoredPlace): RecordedEvent {
    // Object.assign of the three place fields: ~60 ns an event, against ~70 µs an appended event costs.
    return Object.assign(this.pendingOf(stream, event, place.version), {
      position: place.position,
      recordedAt: place.recordedAt,
      transactionId: place.transactionId,
    });
  }
}
