import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';

/**
 * The pg pool as it stands, read from its counters in memory at scrape time (no query). Waiting
 * clients above 0 means queries queue for a connection: each then waits on top of its own time.
 */
export const registerPoolGauges = (registry: Registry, pool: Pool): void => {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('chronicle_db_pool_connections', 'Connections this process\'s pg pool has open', () => pool.totalCount);
  gauge('chronicle_db_pool_idle_connections', 'Open connections no one has checked out', () => pool.idleCount);
  gauge('chronicle_db_pool_waiting_clients', 'Queries queued for a connection of the pool', () => pool.waitingCount);
  gauge('chronicle_db_pool_max_connections', 'The pool\'s limit (DB_POOL_SIZE)', () => pool.options.max ?? 10);
};
