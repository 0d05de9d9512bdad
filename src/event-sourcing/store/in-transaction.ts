import type { Pool, PoolClient } from 'pg';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { withClient } from './with-client.js';

/**
 * Runs `work` in a transaction on a checked-out client: commit on success, roll back on any
 * error but a lost connection (PostgreSQL rolls back itself; a ROLLBACK sent to a server gone
 * silent would only wait behind the stuck statement; the client is dropped, see withClient).
 * `begin` may add SET LOCAL statements after BEGIN, sent in the same round trip.
 */
export const inTransaction = <T>(pool: Pool, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> =>
  withClient(pool, async (client) => {
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
