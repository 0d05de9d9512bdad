import type { QueryResultRow } from 'pg';
import type { StreamId } from './event-envelope.js';
import { expectedVersionCode, type ExpectedVersion } from './expected-version.js';
import type { PreparedEvent } from './prepared-event.js';

/**
 * One append as one prepared statement: one round trip, one plan reused by every append.
 *
 * It reads the stream's version once, checks the expectation ($4: -1 any, -2 no stream,
 * -3 stream exists, n >= 0 exact) and inserts the events from column arrays; data and
 * metadata travel as one JSON array each (no per-element escaping in an array literal).
 * Versions are the current one plus the ordinality, so they are gap-free; positions follow
 * them (`ORDER BY ord`), so a batch reads back in version order. A race with another writer
 * still ends in 23505 on the (stream, version) key, which the caller maps.
 *
 * On a refusal nothing is inserted and the statement returns one row with a null position:
 * the current version and whether a caller-supplied event id ($11) is already stored.
 * `recorded_at` and `transaction_id` are the same for every row of one statement, so only
 * the first event's row carries them: it spares the client parsing them once per event.
 *
 * The leading comment names the statement in pg_stat_statements and the bench's profiles.
 */
export const APPEND_SQL = `/* chronicle_append */
WITH current_version AS (
  SELECT coalesce(max(version), 0) AS version FROM events
  WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3
), stored_id AS (
  SELECT $11::boolean AND EXISTS (SELECT FROM events WHERE event_id = ANY ($5::uuid[])) AS found
), accepted AS (
  SELECT c.version FROM current_version c, stored_id s
  WHERE NOT s.found
    AND ($4::bigint = -1 OR ($4 = -2 AND c.version = 0) OR ($4 = -3 AND c.version > 0) OR c.version = $4)
), inserted AS (
  INSERT INTO events (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
                      data, metadata, occurred_at)
  SELECT e.event_id, $1, $2, $3, a.version + e.ord::integer, e.type, e.schema_version, e.data, e.metadata,
         e.occurred_at
  FROM accepted a CROSS JOIN ROWS FROM (
    unnest($5::uuid[]), unnest($6::text[]), unnest($7::integer[]),
    jsonb_array_elements($8::jsonb), jsonb_array_elements($9::jsonb), unnest($10::timestamptz[])
  ) WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, occurred_at, ord)
  ORDER BY e.ord
  RETURNING position, version, recorded_at, transaction_id
)
SELECT i.position, i.version,
       CASE WHEN i.version = a.version + 1 THEN i.recorded_at END AS recorded_at,
       CASE WHEN i.version = a.version + 1 THEN i.transaction_id::text END AS transaction_id,
       NULL::integer AS current_version, NULL::boolean AS stored_id
FROM inserted i CROSS JOIN accepted a
UNION ALL
SELECT NULL, NULL, NULL, NULL, c.version, s.found
FROM current_version c, stored_id s
WHERE NOT EXISTS (SELECT FROM accepted)`;

export interface AppendRow extends QueryResultRow {
  /** bigint as text; null when the append was refused. */
  position: string | null;
  version: number | null;
  /** Set on the first event's row only. */
  recorded_at: Date | null;
  transaction_id: string | null;
  current_version: number | null;
  stored_id: boolean | null;
}

/** The statement's parameters, built in one pass over the events. */
export const appendParameters = (
  stream: StreamId,
  expected: ExpectedVersion,
  events: readonly PreparedEvent[],
  idsSupplied: boolean,
): unknown[] => {
  const ids: string[] = [];
  const types: string[] = [];
  const schemaVersions: number[] = [];
  const occurredAt: Date[] = [];
  let data = '[';
  let metadata = '[';
  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    const separator = index === 0 ? '' : ',';
    ids.push(event.eventId);
    types.push(event.type);
    schemaVersions.push(event.schemaVersion);
    occurredAt.push(event.occurredAt);
    data += separator + JSON.stringify(event.data);
    metadata += separator + JSON.stringify(event.metadata);
  }
  return [
    stream.tenantId,
    stream.aggregateType,
    stream.aggregateId,
    expectedVersionCode(expected),
    ids,
    types,
    schemaVersions,
    `${data}]`,
    `${metadata}]`,
    occurredAt,
    idsSupplied,
  ];
};
