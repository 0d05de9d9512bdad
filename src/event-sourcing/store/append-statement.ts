import type { QueryResultRow } from 'pg';
import type { StreamId } from './event-envelope.js';
import { expectedVersionCode, type ExpectedVersion } from './expected-version.js';
import type { PreparedEvent } from './prepared-event.js';
import { epochMsSql } from './recorded-event.mapper.js';

/**
 * One append as one prepared statement: one round trip, one plan reused by every append.
 *
 * It reads the stream's version once and inserts the events only if the expectation holds
 * ($4: -1 any, -2 no stream, -3 stream exists, n >= 0 exact) and, when the caller chose the
 * ids ($11), none of them is stored yet. A batch travels as column arrays, data and metadata
 * as one JSON array each (no per-element escaping in an array literal). Versions are the
 * current one plus each event's ordinal ($12: 1…n), so they are gap-free; positions follow
 * them (`ORDER BY ord`), so a batch reads back in version order. A race with another writer
 * still ends in 23505 on the (stream, version) key, which the caller maps.
 *
 * The arrays are unnested in the select list, where set-returning functions stream their rows
 * in lockstep. In `FROM` (`ROWS FROM (…)`) each would first fill a tuplestore of its own, 16 kB
 * and up: with six or eleven of them a statement took more than glibc's 128 kB trim threshold
 * of the backend's heap and handed it back at the end, two `brk` calls per statement plus the
 * page faults and TLB flushes after them, about a third of PostgreSQL's CPU per batched event
 * (`node dist/bench/append-costs.js`: 85 against 56–62 µs for the same schema short of any one
 * index, whose heap happened to lie otherwise).
 *
 * A refused append inserts nothing and returns no rows; the caller then asks why. Keeping
 * the refusal's reasons out of this statement keeps its plan small: every CTE, join and
 * union around the INSERT cost each append more than the version lookup itself.
 *
 * The leading comment names the statement in pg_stat_statements and the bench's profiles.
 */
const COLUMNS = `event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version, data, metadata,
  occurred_at`;
// Only versions from the expected one up are read: an exact expectation n is met by max = n
// alone, and the index scan for that max then stops after the stream's last entry or two. Without
// the bound, the backward scan checked every entry of the stream on its last index page (~150),
// 60-100 µs of an append to a long stream. A stream short of n reads as 0, which refuses n > 0
// as its true version would; the codes below 0 bound nothing.
const CURRENT_VERSION = `(
  SELECT coalesce(max(version), 0) AS version FROM events
  WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 AND version >= $4::bigint
) c`;
const EXPECTATION_MET = `($4::bigint = -1 OR ($4 = -2 AND c.version = 0) OR ($4 = -3 AND c.version > 0) OR c.version = $4)`;
// The time as epoch milliseconds, as the reads return it: pg parses timestamp text with a regex (~3% of a single append's CPU here).
const RETURNING = `RETURNING position, version, ${epochMsSql('recorded_at')} AS recorded_at, transaction_id::text AS transaction_id`;

/** A batch: the events as column arrays, numbered 1…n by $12. */
const APPEND_MANY_SQL = `/* chronicle_append */
INSERT INTO events (${COLUMNS})
SELECT e.event_id, $1, $2, $3, c.version + e.ord, e.type, e.schema_version, e.data, e.metadata, e.occurred_at
FROM ${CURRENT_VERSION} CROSS JOIN (
  SELECT unnest($5::uuid[]) AS event_id, unnest($6::text[]) AS type, unnest($7::integer[]) AS schema_version,
    jsonb_array_elements($8::jsonb) AS data, jsonb_array_elements($9::jsonb) AS metadata,
    unnest($10::timestamptz[]) AS occurred_at, unnest($12::integer[]) AS ord
) e
WHERE ${EXPECTATION_MET}
  AND NOT ($11::boolean AND EXISTS (SELECT FROM events WHERE event_id = ANY ($5::uuid[])))
ORDER BY e.ord
${RETURNING}`;

/** One event, the most common append, as plain values: unnesting arrays cost it ~10% of its server time. */
const APPEND_ONE_SQL = `/* chronicle_append */
INSERT INTO events (${COLUMNS})
SELECT $5::uuid, $1, $2, $3, c.version + 1, $6::text, $7::integer, $8::jsonb, $9::jsonb, $10::timestamptz
FROM ${CURRENT_VERSION}
WHERE ${EXPECTATION_MET}
  AND NOT ($11::boolean AND EXISTS (SELECT FROM events WHERE event_id = $5::uuid))
${RETURNING}`;

export interface AppendStatement {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

export interface AppendRow extends QueryResultRow {
  /** bigint as text */
  position: string;
  version: number;
  /** epoch milliseconds (`epochMsSql`) */
  recorded_at: number;
  transaction_id: string;
}

/**
 * Events as column arrays, in the order the batch statements take them: ids, types, schema
 * versions, data and metadata (one JSON array each: no per-element escaping in an array
 * literal), occurrence times.
 */
class EventColumns {
  private readonly ids: string[] = [];
  private readonly types: string[] = [];
  private readonly schemaVersions: number[] = [];
  private readonly occurredAt: Date[] = [];
  private data = '';
  private metadata = '';

  add(event: PreparedEvent): void {
    const separator = this.ids.length === 0 ? '' : ',';
    this.ids.push(event.eventId);
    this.types.push(event.type);
    this.schemaVersions.push(event.schemaVersion);
    this.occurredAt.push(event.occurredAt);
    this.data += separator + JSON.stringify(event.storedData);
    this.metadata += separator + JSON.stringify(event.metadata);
  }

  values(): unknown[] {
    return [this.ids, this.types, this.schemaVersions, `[${this.data}]`, `[${this.metadata}]`, this.occurredAt];
  }
}

/** The statement for these events, with its parameters built in one pass over them. */
export const appendStatement = (
  stream: StreamId,
  expected: ExpectedVersion,
  events: readonly PreparedEvent[],
  idsSupplied: boolean,
): AppendStatement => {
  const head: unknown[] = [stream.tenantId, stream.aggregateType, stream.aggregateId, expectedVersionCode(expected)];
  if (events.length === 1) {
    const [event] = events;
    const values = [...head, event.eventId, event.type, event.schemaVersion, JSON.stringify(event.storedData)];
    values.push(JSON.stringify(event.metadata), event.occurredAt, idsSupplied);
    return { name: 'chronicle_append_one', text: APPEND_ONE_SQL, values };
  }
  const columns = new EventColumns();
  for (const event of events) columns.add(event);
  const values = [...head, ...columns.values(), idsSupplied, events.map((_, index) => index + 1)];
  return { name: 'chronicle_append', text: APPEND_MANY_SQL, values };
};

/** An append that may share a statement: its stream, the exact version it expects, its events. */
export interface SharedAppend {
  readonly stream: StreamId;
  readonly expectedVersion: number;
  readonly events: readonly PreparedEvent[];
}

/**
 * Many appends, each to its own stream at the exact version it expects, in one INSERT: one
 * row of parameters per event. An append whose stream stands elsewhere inserts nothing
 * while the others go in; every event of an append sees the same version, so an append is
 * all or nothing. Callers keep one stream to one append, and only generated event ids here
 * (no retry to tell apart). Returns event ids so each caller finds its own rows.
 */
const APPEND_SHARED_SQL = `/* chronicle_append_shared */
INSERT INTO events (${COLUMNS})
SELECT e.event_id, e.tenant_id, e.aggregate_type, e.aggregate_id, e.expected + e.ord, e.type, e.schema_version, e.data,
  e.metadata, e.occurred_at
FROM (
  SELECT unnest($1::text[]) AS tenant_id, unnest($2::text[]) AS aggregate_type, unnest($3::text[]) AS aggregate_id,
    unnest($4::integer[]) AS expected, unnest($5::integer[]) AS ord, unnest($6::uuid[]) AS event_id,
    unnest($7::text[]) AS type, unnest($8::integer[]) AS schema_version, jsonb_array_elements($9::jsonb) AS data,
    jsonb_array_elements($10::jsonb) AS metadata, unnest($11::timestamptz[]) AS occurred_at, unnest($12::integer[]) AS n
) e
WHERE e.expected = (
  SELECT coalesce(max(version), 0) FROM events s
  WHERE s.tenant_id = e.tenant_id AND s.aggregate_type = e.aggregate_type AND s.aggregate_id = e.aggregate_id
    AND s.version >= e.expected
)
ORDER BY e.n
${RETURNING}, event_id`;

export const sharedAppendStatement = (appends: readonly SharedAppend[]): { text: string; values: unknown[] } => {
  const tenants: string[] = [];
  const types: string[] = [];
  const ids: string[] = [];
  const expected: number[] = [];
  const ords: number[] = [];
  const columns = new EventColumns();
  for (const { stream, expectedVersion, events } of appends) {
    events.forEach((event, index) => {
      tenants.push(stream.tenantId);
      types.push(stream.aggregateType);
      ids.push(stream.aggregateId);
      expected.push(expectedVersion);
      ords.push(index + 1);
      columns.add(event);
    });
  }
  const order = tenants.map((_, index) => index + 1);
  return { text: APPEND_SHARED_SQL, values: [tenants, types, ids, expected, ords, ...columns.values(), order] };
};
