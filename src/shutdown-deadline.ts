import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';

/**
 * SIGTERM or SIGINT runs the app's shutdown (Nest's hooks: the workers, the relay, the pool,
 * the embedded server), each step waiting for the last. One that never settles (PostgreSQL
 * stopped answering half-way) would keep the process and its embedded PostgreSQL up until
 * someone killed them: after `ms` this logs what is still open and exits with 1. The next
 * start stops an embedded server left running.
 */
export const exitIfShutdownOutlasts = (ms: number, pool: Pool): void => {
  const logger = new Logger('Shutdown');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const deadline = setTimeout(() => {
        const connections = `${pool.totalCount} connections (${pool.idleCount} idle, ${pool.waitingCount} waiting for one)`;
        logger.error(
          `shutdown after ${signal} still running after ${ms} ms; exiting. Pool: ${connections}; ` +
            `open: ${process.getActiveResourcesInfo().join(', ')}`,
        );
        process.exit(1);
      }, ms);
      deadline.unref(); // a shutdown that finishes exits at once
    });
  }
};
