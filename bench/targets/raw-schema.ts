import type { Pool } from 'pg';

/**
 * The baseline's table: the columns and types of `events`, a bigint identity, the unique
 * event id and the unique (stream, version), and nothing else (no trigger, no function,
 * no secondary index).
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

export const createRawTable = async (pool: Pool): Promise<void> => {
  await pool.query(RAW_EVENTS_DDL);
};
