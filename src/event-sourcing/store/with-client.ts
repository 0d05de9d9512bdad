import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` on a client checked out of `pool`. The pool listens for errors of idle clients
 * only: without a listener of our own, a connection lost while checked out (a terminated
 * backend, a failover) would be an unhandled 'error' event that ends the process. Its queries
 * fail instead, and the pool is told to drop it — always, with `discard` (to end a session's locks).
 */
export const withClient = async <T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  discard = false,
): Promise<T> => {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.removeListener('error', onError);
    client.release(discard || lost);
  }
};
