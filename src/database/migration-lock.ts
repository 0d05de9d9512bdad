import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/**
 * The session advisory lock that lets one process at a time apply migrations. A single bigint
 * key: PostgreSQL keeps it apart from the subscriptions' (int, int) lease keys.
 */
const MIGRATION_LOCK_KEY = '246664253'; // 'chronicle' on a phone keypad
/**
 * Waiting is polling, not pg_advisory_lock: a statement waiting for the lock holds a snapshot, and
 * CREATE INDEX CONCURRENTLY (migrations 8, 10, 14) waits for every older snapshot to end, a
 * deadlock PostgreSQL does not detect.
 */
const RETRY_MS = 250;

/**
 * Runs `migrate` holding the migration lock, on a connection of its own: processes starting
 * together on a database not yet migrated (replicas, a web and a worker) would otherwise each
 * create the migrations table and apply the same migrations at the same moment, and all but one
 * fail on a catalog's unique key. The others wait here, then find nothing pending. The lock
 * belongs to the session, so a process that dies while migrating releases it with its connection.
 */
export const withMigrationLock = async <T>(url: string, log: (message: string) => void, migrate: () => Promise<T>): Promise<T> => {
  const session = new pg.Client({ connectionString: url, application_name: 'chronicle migrations lock' });
  // A connection lost while migrating must not crash the process: the migration's own connection reports it.
  session.on('error', (error) => log(`the migration lock's connection failed: ${error.message}`));
  await session.connect();
  try {
    const locked = async () =>
      (await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY])).rows[0]?.locked;
    if (!(await locked())) {
      log('another process is applying migrations: waiting for it to finish');
      while (!(await locked())) await sleep(RETRY_MS);
    }
    return await migrate();
  } finally {
    await session.end(); // ending the session releases the lock
  }
};
