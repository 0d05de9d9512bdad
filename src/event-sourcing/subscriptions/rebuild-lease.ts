import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../store/in-transaction.js';
import { leaseKey } from './lease-key.js';

/**
 * A rebuild's lease: the session advisory lock on slot -1 of the subscription's key (partitions
 * use 0…n-1), held by the session that rebuilds from before it sets the status 'rebuilding'
 * until after it sets it back. PostgreSQL drops it with that session, whatever ends the process
 * (a crash, SIGKILL, a deploy), so a 'rebuilding' status whose lease nobody holds is a leftover.
 */
const REBUILD_SLOT = -1;

/** What a status 'rebuilding' left behind by a rebuild that is gone is replaced with. */
export const INTERRUPTED_REBUILD = 'rebuild interrupted: its process ended before it finished; running from the checkpoint';

/** How long a rebuild asked for waits for clean-ups of an interrupted one (each a short transaction) to let go of the lease. */
const CLEAN_UP_WAIT_MS = 5_000;
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Takes the lease on `session`, which must then be discarded, not returned to the pool:
 * 'rebuilding' when a live rebuild holds it; 'busy' when clean-ups of an interrupted one held it
 * past the wait (they hold it shared, a live rebuild exclusively: a shared try tells them apart).
 */
export const takeRebuildLease = async (session: PoolClient, name: string): Promise<'taken' | 'rebuilding' | 'busy'> => {
  const key = [leaseKey(name), REBUILD_SLOT];
  const tried = async (sql: string) => (await session.query<{ ok: boolean }>(sql, key)).rows[0].ok;
  if (await tried(`SELECT pg_try_advisory_lock($1::int, $2::int) AS ok`)) return 'taken';
  if (!(await tried(`SELECT pg_try_advisory_lock_shared($1::int, $2::int) AS ok`))) return 'rebuilding';
  await session.query(`SELECT pg_advisory_unlock_shared($1::int, $2::int)`, key);
  await session.query(`SET lock_timeout = ${CLEAN_UP_WAIT_MS}`);
  try {
    await session.query(`SELECT pg_advisory_lock($1::int, $2::int)`, key);
    return 'taken';
  } catch (error) {
    if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return 'busy';
    throw error;
  } finally {
    // The swap waits for its table locks as long as it must.
    await session.query(`RESET lock_timeout`);
  }
};

/**
 * Runs `work` in a transaction only if no rebuild of `name` is alive, holding the lease shared
 * for the transaction, so none can start before it commits (clean-ups may run side by side:
 * what they do is the same and idempotent); null (and nothing done) while one is alive.
 */
export const whileNoRebuildRuns = <T>(pool: Pool, name: string, work: (client: PoolClient) => Promise<T>): Promise<{ readonly result: T } | null> =>
  inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock_shared($1::int, $2::int) AS ok`, [leaseKey(name), REBUILD_SLOT]);
    return rows[0].ok ? { result: await work(client) } : null;
  });

/**
 * Sets a status 'rebuilding' that no living rebuild holds back to 'running': workers run the
 * subscription again from its checkpoints, which are either the old ones (it died before its
 * swap: the old tables, untouched) or the rebuilt ones (the swap committed, tables with them).
 * True when it did. Whatever else `cleanUp` does (a projection's shadow tables) commits with it.
 */
export const endInterruptedRebuild = async (
  pool: Pool,
  name: string,
  cleanUp: (client: PoolClient) => Promise<void> = async () => undefined,
): Promise<boolean> => {
  const ended = await whileNoRebuildRuns(pool, name, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE projection_controls SET status = 'running', last_error = $2, updated_at = now() WHERE projection = $1 AND status = 'rebuilding'`,
      [name, INTERRUPTED_REBUILD],
    );
    await cleanUp(client);
    return (rowCount ?? 0) > 0;
  });
  return ended?.result ?? false;
};
