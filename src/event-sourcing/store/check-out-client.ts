import type { Pool, PoolClient } from 'pg';

const guardedPools = new WeakSet<Pool>();
const guardedClients = new WeakSet<PoolClient>();
const ignore = () => undefined;

/**
 * `pool.connect()`, but the client listens for 'error' from the moment the pool hands it out
 * until it is closed, so a lost connection fails its queries and never the process.
 *
 * pg-pool listens only to idle clients, and stops before it hands one out. When a backend is
 * terminated just as a query finishes, its last rows and its FATAL goodbye can arrive in one
 * socket read: `pool.query` releases the client on the rows, the pool hands it to the next
 * `pool.connect()` waiting (whose caller resumes only after that read), and the FATAL is emitted
 * on a client nobody listens to: an uncaught exception. Ignoring the event loses nothing: queries
 * on that client fail, and the pool drops a client that is no longer queryable when it returns.
 */
export const checkOutClient = (pool: Pool): Promise<PoolClient> => {
  if (!guardedPools.has(pool)) {
    guardedPools.add(pool);
    // 'acquire' comes before the hand-over, synchronously: no window is left.
    pool.on('acquire', (client) => {
      if (guardedClients.has(client)) return;
      guardedClients.add(client);
      client.on('error', ignore);
    });
  }
  return pool.connect();
};

/**
 * A connection kept for a session of its own (a LISTEN, session locks), `prepare`d before it is
 * used. If preparing fails (the server went away meanwhile), the connection is discarded rather
 * than left checked out: a client nobody releases is lost to the pool for good, and `pool.end()`
 * waits for it forever.
 */
export const checkOutSession = async (pool: Pool, prepare: (client: PoolClient) => Promise<unknown>): Promise<PoolClient> => {
  const client = await checkOutClient(pool);
  try {
    await prepare(client);
    return client;
  } catch (error) {
    client.release(true);
    throw error;
  }
};
