import type { Pool } from 'pg';

/**
 * The mirror baseline's table: the columns and types of `events`, a bigint identity, the
 * unique event id and the unique (stream, version), and nothing else (no trigger, no
 * function, no secondary index).
 */
const RAW_EVENTS_DDL = `
  CREATE TABLE raw_events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    tenant_id       text        NOT NULL,
    aggregate_type  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    version         integer     NOT NULL CHECK (version > 0),
    type            text        NOT NULL,
    schema_version  integer     NOT NULL CHECK (schema_version > 0),
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (tenant_id, aggregate_type, aggregate_id, version)
  )`;

/**
 * The minimal baseline's table: what an event log cannot do without. The table (id,
 * stream, version, type, data, metadata; unique stream + version) plus `position`, an
 * identity with a plain index, because a global read needs an order that follows the
 * appends: uuid order would put new events anywhere, behind a reader's cursor too.
 */
const MINIMAL_EVENTS_DDL = [
  `CREATE TABLE minimal_events (
    id        uuid    PRIMARY KEY,
    stream    text    NOT NULL,
    version   integer NOT NULL,
    type      text    NOT NULL,
    data      jsonb   NOT NULL,
    metadata  jsonb   NOT NULL,
    position  bigint  GENERATED ALWAYS AS IDENTITY,
    UNIQUE (stream, version)
  )`,
  `CREATE INDEX minimal_events_position_idx ON minimal_events (position)`,
];

export const createRawTable = async (pool: Pool): Promise<void> => {
  await pool.query(RAW_EVENTS_DDL);
};

/** Both baselines' tables, in a database that has neither yet. */
export const createBaselineTables = async (pool: Pool): Promise<void> => {
  await createRawTable(pool);
  for (const statement of MINIMAL_EVENTS_DDL) await pool.query(statement);
};
