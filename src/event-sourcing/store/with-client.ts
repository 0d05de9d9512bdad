import type { Pool, PoolClient } from 'pg';
import { checkOutClient } from './check-out-client.js';

/**
 * Runs `work` on a client checked out of `pool`: a connection lost meanwhile fails its queries,
 * never the process. `discard` drops the client afterwards, to end a session's locks; the pool
 * drops one that lost its connection by itself.
 */
export const withClient = async <T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  discard = false,
): Promise<T> => {
  const client = await checkOutClient(pool);
  try {
    return await work(client);
  } finally {
    client.release(discard);
  }
};
