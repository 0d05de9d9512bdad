import type { Pool } from 'pg';
import { BENCH_EVENT_TYPE, BENCH_TENANT } from '../fixtures.js';
import type { BenchTarget } from '../targets/target.js';

const CHUNK = 10_000;

/** Server-side generation of `count` events of one stream, versions 1..count, one transaction. */
const seedChunk = (table: BenchTarget['table']): string => `
  INSERT INTO ${table} (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
                        data, metadata, occurred_at)
  SELECT gen_random_uuid(), $1, 'bench_seeded', $2, g, $3, 1,
         jsonb_build_object('sku', 'sku-' || g, 'quantity', g % 10 + 1, 'note', 'added from the bench'),
         jsonb_build_object('actor', jsonb_build_object('type', 'human', 'id', 'bench-user'),
                            'correlationId', gen_random_uuid()),
         now()
  FROM generate_series(1, $4::integer) AS g`;

export const countEvents = async (pool: Pool, target: BenchTarget): Promise<number> =>
  Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${target.table}`)).rows[0].n);

/**
 * Tops the target's table up to `total` events, in transactions of 10,000 (so the log holds
 * many transaction ids, as a real one does), then vacuums it so reads start from the same
 * state: hint bits set, statistics fresh. Bypasses both APIs: this is set-up, not measured.
 */
export const seedLog = async (pool: Pool, target: BenchTarget, total: number): Promise<void> => {
  let missing = total - (await countEvents(pool, target));
  for (let chunk = 0; missing > 0; chunk++) {
    const size = Math.min(CHUNK, missing);
    await pool.query(seedChunk(target.table), [BENCH_TENANT, `seed-${Date.now()}-${chunk}`, BENCH_EVENT_TYPE, size]);
    missing -= size;
  }
  await vacuum(pool, target);
};

export const vacuum = async (pool: Pool, target: BenchTarget): Promise<void> => {
  await pool.query(`VACUUM (ANALYZE) ${target.table}`);
};
