import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events table, its append-only guard, and the one-round-trip append function.
 *
 * Global order: readers page by (transaction_id, position) and only read transactions
 * older than every open one (pg_snapshot_xmin), so an event that commits late with a
 * small position is never skipped. The index below is exactly that order.
 */
export class EventStore1764000000000 implements MigrationInterface {
  name = 'EventStore1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE events (
        position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id        uuid        NOT NULL,
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
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_version_key UNIQUE (tenant_id, aggregate_type, aggregate_id, version)
      )`);
    await db.query(`CREATE INDEX events_global_order_idx ON events (transaction_id, position)`);
    await db.query(`CREATE INDEX events_tenant_type_idx ON events (tenant_id, type, transaction_id, position)`);

    await db.query(`
      CREATE FUNCTION events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
          USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await db.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_reject_change()`);
    await db.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_reject_change()`);

    // p_expected: -1 any, -2 no stream, -3 stream exists, n >= 0 exact version.
    // Outcomes are returned as values, not raised, so the common conflict costs no error
    // round trip; a race on the unique constraint still raises 23505 for the caller to map.
    await db.query(`
      CREATE FUNCTION chronicle_append(
        p_tenant_id text, p_aggregate_type text, p_aggregate_id text, p_expected bigint, p_events jsonb,
        p_ids_supplied boolean
      ) RETURNS TABLE (
        r_outcome text, r_stream_version integer, r_position bigint, r_version integer,
        r_recorded_at timestamptz, r_transaction_id text
      ) LANGUAGE plpgsql AS $$
      DECLARE
        v_current integer;
      BEGIN
        -- Only caller-supplied ids can repeat; generated ones skip the lookup.
        IF p_ids_supplied AND EXISTS (
          SELECT 1 FROM events e
          WHERE e.event_id IN (SELECT (x->>'eventId')::uuid FROM jsonb_array_elements(p_events) x)
        ) THEN
          RETURN QUERY SELECT 'duplicate'::text, NULL::integer, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::text;
          RETURN;
        END IF;

        SELECT coalesce(max(e.version), 0) INTO v_current FROM events e
        WHERE e.tenant_id = p_tenant_id AND e.aggregate_type = p_aggregate_type AND e.aggregate_id = p_aggregate_id;

        IF NOT (p_expected = -1
             OR (p_expected = -2 AND v_current = 0)
             OR (p_expected = -3 AND v_current > 0)
             OR (p_expected >= 0 AND v_current = p_expected)) THEN
          RETURN QUERY SELECT 'conflict'::text, v_current, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::text;
          RETURN;
        END IF;

        RETURN QUERY
        INSERT INTO events AS e (event_id, tenant_id, aggregate_type, aggregate_id, version, type,
                                 schema_version, data, metadata, occurred_at)
        SELECT (u.x->>'eventId')::uuid, p_tenant_id, p_aggregate_type, p_aggregate_id, v_current + u.ord::integer,
               u.x->>'type', (u.x->>'schemaVersion')::integer, u.x->'data', u.x->'metadata',
               (u.x->>'occurredAt')::timestamptz
        FROM jsonb_array_elements(p_events) WITH ORDINALITY AS u(x, ord)
        ORDER BY u.ord
        RETURNING 'appended'::text, v_current + jsonb_array_length(p_events), e.position, e.version,
                  e.recorded_at, e.transaction_id::text;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION chronicle_append(text, text, text, bigint, jsonb, boolean)`);
    await db.query(`DROP TABLE events`);
    await db.query(`DROP FUNCTION events_reject_change()`);
  }
}
