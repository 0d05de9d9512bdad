import type { Pool, PoolClient } from 'pg';
import { checkOutClient } from './check-out-client.js';
import { isDatabaseUnavailable } from './database-unavailable.js';

/**
 * Runs `work` on a client checked out of `pool`: a connection lost meanwhile fails its queries,
 * never the process. `discard` drops the client afterwards, to end a session's locks; one that
 * lost its connection is dropped too.
 */
export const withClient = async <T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  discard = false,
): Promise<T> => {
  const client = await checkOutClient(pool);
  let lost = false;
  try {
    return await work(client);
  } catch (error) {
    lost = isDatabaseUnavailable(error);
    throw error;
  } finally {
    // A connection that failed is never handed out again: after a FATAL error (a backend
    // terminated) the pool may not have seen its socket close yet.
    client.release(discard || lost);
  }
};
