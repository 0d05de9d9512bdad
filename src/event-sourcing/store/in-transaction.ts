import type { Pool, PoolClient } from 'pg';
import { withClient } from './with-client.js';

/**
 * Runs `work` in a transaction on a checked-out client: commit on success, roll back on any error.
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
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
