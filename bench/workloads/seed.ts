import type { Pool } from 'pg';
import { BENCH_TENANT, type BenchPayload } from '../fixtures.js';
import type { BenchTarget } from '../targets/target.js';

const CHUNK = 10_000;

/** `count` events of one stream into `events`, versions 1..count, one transaction; payloads as JSON text. */
const SEED_EVENTS = `
  INSERT INTO events (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
                      data, metadata, occurred_at)
  SELECT gen_random_uuid(), $1, 'bench_seeded', $2, e.ord, e.type, 1, e.data::jsonb, e.metadata::jsonb, now()
  FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(type, data, metadata, ord)`;

/** The seeded log, in log order, into a baseline's table: the same ids and bytes (the minimal key as `streamKey`). */
const COPY_FROM_EVENTS: Readonly<Record<BenchTarget['table'], string | null>> = {
  events: null,
  raw_events: `
    INSERT INTO raw_events (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
                            data, metadata, occurred_at)
    SELECT event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version, data, metadata, occurred_at
    FROM events ORDER BY position`,
  minimal_events: `
    INSERT INTO minimal_events (id, stream, version, type, data, metadata)
    SELECT event_id, tenant_id || '/' || aggregate_type || '/' || aggregate_id, version, type, data, metadata
    FROM events ORDER BY position`,
};

export const countEvents = async (pool: Pool, target: BenchTarget): Promise<number> =>
  Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${target.table}`)).rows[0].n);

/**
 * Fills the (empty) tables with the same log of `total` events: `events` by plain SQL in
 * transactions of 10,000 (so the log holds many transaction ids, as a real one does), the
 * baselines' tables copied from it, then vacuums them so reads start from the same state: hint
 * bits set, statistics fresh. Bypasses every API, and keeps Node's heap out of it (the read
 * workloads measure memory): set-up, not measured.
 */
export const seedLog = async (
  pool: Pool,
  targets: readonly BenchTarget[],
  payload: BenchPayload,
  total: number,
): Promise<void> => {
  const next = payload.source('log');
  for (let seeded = 0; seeded < total; seeded += CHUNK) {
    const events = next(Math.min(CHUNK, total - seeded));
    const types = events.map((event) => event.type);
    const data = events.map((event) => JSON.stringify(event.data));
    const metadata = events.map((event) => JSON.stringify(event.metadata));
    await pool.query(SEED_EVENTS, [BENCH_TENANT, `seed-${seeded}`, types, data, metadata]);
  }
  for (const target of targets) {
    const copy = COPY_FROM_EVENTS[target.table];
    if (copy !== null) await pool.query(copy);
    await vacuum(pool, target);
  }
};

export const vacuum = async (pool: Pool, target: BenchTarget): Promise<void> => {
  await pool.query(`VACUUM (ANALYZE) ${target.table}`);
};
