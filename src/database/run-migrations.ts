import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options.js';
import { withMigrationLock } from './migration-lock.js';

/**
 * How long a migration's statement waits for a table lock. A migration altering `events` waits
 * for ACCESS EXCLUSIVE behind any open reader (a pg_dump, an analyst's session), and every
 * append of the serving processes queues behind that waiting request: this bounds the stall.
 */
const LOCK_TIMEOUT_MS = 2_000;
/** The pauses before each new try, while appends go on; past them the start fails. */
const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 30_000, 30_000];
const LOCK_NOT_AVAILABLE = '55P03';

const isLockTimeout = (error: unknown): boolean => (error as { code?: string } | undefined)?.code === LOCK_NOT_AVAILABLE;

/** The sessions most likely in the way: the oldest open transactions on this database. */
const longTransactions = async (dataSource: DataSource): Promise<string> => {
  const rows = (await dataSource.query(
    `SELECT pid, round(extract(epoch FROM now() - xact_start))::int AS seconds, coalesce(application_name, '') AS name
     FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start < now() - make_interval(secs => $1)
     ORDER BY xact_start LIMIT 5`,
    [LOCK_TIMEOUT_MS / 1000],
  )) as { pid: number; seconds: number; name: string }[];
  return rows.length === 0 ? 'none now' : rows.map((row) => `pid ${row.pid} (${row.name || 'unnamed'}, ${row.seconds} s)`).join(', ');
};

/** Applies pending migrations on the database at `url`, one process at a time; returns the names applied. */
export const runMigrations = async (url: string, log: (message: string) => void = () => undefined): Promise<string[]> =>
  withMigrationLock(url, log, async () => {
    const options = dataSourceOptions(url, 1);
    const onConnect = (client: pg.ClientBase) => client.query(`SET lock_timeout = ${LOCK_TIMEOUT_MS}`);
    const dataSource = new DataSource({ ...options, extra: { ...options.extra, onConnect } });
    await dataSource.initialize();
    const applied: string[] = [];
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          applied.push(...(await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name));
          return applied;
        } catch (error) {
          const delay = RETRY_DELAYS_MS[attempt];
          if (!isLockTimeout(error)) throw error;
          const holders = await longTransactions(dataSource);
          if (delay === undefined) {
            throw new Error(`a migration could not take its table locks within ${LOCK_TIMEOUT_MS} ms in ${attempt + 1} tries; the longest open transactions: ${holders}`, {
              cause: error,
            });
          }
          log(`a migration waited ${LOCK_TIMEOUT_MS} ms for a table lock and gave way to the serving processes; the longest open transactions: ${holders}; trying again in ${delay / 1000} s`);
          await sleep(delay);
        }
      }
    } finally {
      await dataSource.destroy();
    }
  });
