import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in a transaction on a checked-out client: commit on success, roll back on any error.
 * `begin` may add SET LOCAL statements after BEGIN, sent in the same round trip.
 */
export const inTransaction = async <T>(pool: Pool, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> => {
  const client = await pool.connect();
  // The pool listens for errors of idle clients only: without a listener of our own, a
  // connection lost while checked out (a terminated backend, a failover) would be an
  // unhandled 'error' event that ends the process. Its queries fail instead, and the pool
  // is told to drop it.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
};
