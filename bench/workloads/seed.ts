import type { Pool } from 'pg';
import { BENCH_TENANT, type BenchPayload } from '../fixtures.js';
import type { BenchTarget } from '../targets/target.js';

/** Events per seeding append: the store's largest append, and a transaction of its own. */
const CHUNK = 1_000;

export const countEvents = async (pool: Pool, target: BenchTarget): Promise<number> =>
  Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${target.table}`)).rows[0].n);

/**
 * Fills the target's (empty) table with `total` events through its own append, 1,000 events
 * to a stream, one transaction each (so the log holds many transaction ids, as a real one
 * does), then vacuums it so reads start from the same state: hint bits set, statistics fresh.
 * Every target gets the same events (one source per target, all of the same seed). Set-up, not measured.
 */
export const seedLog = async (pool: Pool, target: BenchTarget, payload: BenchPayload, total: number): Promise<void> => {
  const next = payload.source('log');
  for (let seeded = 0; seeded < total; seeded += CHUNK) {
    const stream = { tenantId: BENCH_TENANT, aggregateType: 'bench_seeded', aggregateId: `seed-${seeded}` };
    if (!(await target.appendExact(stream, next(Math.min(CHUNK, total - seeded)), 0))) {
      throw new Error(`${target.name}: could not seed the log at event ${seeded}`);
    }
  }
  await vacuum(pool, target);
};

export const vacuum = async (pool: Pool, target: BenchTarget): Promise<void> => {
  await pool.query(`VACUUM (ANALYZE) ${target.table}`);
};
