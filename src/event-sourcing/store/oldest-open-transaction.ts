import type { Pool } from 'pg';

/** The oldest transaction that holds back the log's readers, as PostgreSQL shows it. */
export interface OpenTransaction {
  /** Its backend's pid; null for a prepared transaction, which has none. */
  readonly pid: number | null;
  readonly database: string | null;
  /** How long it has been open. */
  readonly seconds: number;
}

/**
 * The oldest transaction holding an xid on the whole server (any database, and prepared
 * transactions): gap-free readers of the log stop at it (`pg_snapshot_xmin`), so while it stays
 * open every subscription, `readAll` and `GET /v1/events/type` waits. Read-only transactions hold
 * no xid and no fence. Without `pg_read_all_stats`, other roles' sessions show no `xact_start` and
 * are not seen. Null when there is none.
 */
export const oldestOpenTransaction = async (pool: Pool): Promise<OpenTransaction | null> => {
  const { rows } = await pool.query<OpenTransaction>(
    `SELECT pid, database, greatest(0, extract(epoch FROM now() - started))::float8 AS seconds FROM (
       SELECT pid, datname AS database, xact_start AS started FROM pg_stat_activity
         WHERE backend_xid IS NOT NULL AND xact_start IS NOT NULL
       UNION ALL SELECT NULL, database, prepared FROM pg_prepared_xacts
     ) open ORDER BY started LIMIT 1`,
  );
  return rows[0] ?? null;
};
