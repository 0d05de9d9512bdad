import type { Pool } from 'pg';
import type { Work } from '../harness/sample.js';

const PAGE = `SELECT position, event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
    data, metadata, occurred_at, recorded_at, transaction_id::text AS transaction_id
  FROM events WHERE position > $1 ORDER BY position LIMIT $2`;

/**
 * The catch-up baseline: pages the whole `events` table by position with a plain prepared
 * SELECT (as the raw target's read_all does), the rows parsed by `pg` and dropped.
 */
export const scanEvents = async (pool: Pool, pageSize: number, expected: number): Promise<Work> => {
  const latenciesMs: number[] = [];
  let position = '0';
  let events = 0;
  const start = performance.now();
  for (;;) {
    const began = performance.now();
    const { rows } = await pool.query<{ position: string }>({ name: 'bench_scan_events', text: PAGE, values: [position, pageSize] });
    latenciesMs.push(performance.now() - began);
    if (rows.length === 0) break;
    events += rows.length;
    position = rows[rows.length - 1].position;
  }
  const elapsedMs = performance.now() - start;
  if (events !== expected) throw new Error(`raw scan: read ${events} events of ${expected} in the log`);
  return { events, ops: latenciesMs.length, elapsedMs, latenciesMs };
};
