import type { Pool } from 'pg';
import type { ScrapeReadings } from './scrape-readings.js';

/**
 * The age of the oldest transaction holding an xid on the whole server (any database, and prepared
 * transactions): gap-free readers of the log stop at it (`pg_snapshot_xmin`), so while it stays open every
 * subscription and `GET /v1/events/type` waits. Read-only transactions hold no xid and no fence.
 * Without `pg_read_all_stats`, other roles' sessions show no `xact_start` and are not seen.
 */
export const registerReadFenceGauge = (readings: ScrapeReadings, pool: Pool): void => {
  readings.gauge(
    {
      name: 'chronicle_db_oldest_transaction_seconds',
      help: 'Age of the oldest open transaction holding an xid (the log readers\' fence); 0 when none',
      labelNames: [],
    },
    readings.reading('oldest_transaction', async () => {
      const { rows } = await pool.query<{ seconds: number }>(
        `SELECT greatest(0, coalesce(extract(epoch FROM now() - min(started)), 0))::float8 AS seconds FROM (
           SELECT xact_start AS started FROM pg_stat_activity WHERE backend_xid IS NOT NULL
           UNION ALL SELECT prepared FROM pg_prepared_xacts
         ) open`,
      );
      return rows[0]?.seconds ?? 0;
    }),
    (seconds) => [{ labels: {}, value: seconds }],
  );
};
