import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { projectionSubscription, type AsyncProjection } from '../../src/event-sourcing/projections/async-projection.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import type { ExtraDatabase } from '../databases.js';
import { withRssSampling, type RssReport } from '../harness/rss-sampler.js';
import type { Work } from '../harness/sample.js';
import { progress } from '../progress.js';
import { listeningPersonalData } from '../fixtures.js';
import { reservationRegistry } from './reservation-log.js';
import { applyTimed, ReadTimedLog, type CallTimes } from './timed-worker-parts.js';

/** Connections the worker's pool may open: the app's default DB_POOL_SIZE. */
const WORKER_POOL_SIZE = 10;
const POLL_MS = 20;
const STALL_MS = 60_000;

export interface CatchUp {
  /** events = events the projection handled; latencies = one batch's apply. */
  readonly work: Work;
  readonly rss: RssReport;
  readonly reads: CallTimes;
  readonly applies: CallTimes;
  readonly partitions: number;
}

interface LogHead {
  readonly transactionId: string;
  readonly position: string;
}

/** Puts the projection back at checkpoint 0 with empty tables, as if it had never run. */
const resetProjection = async (pool: pg.Pool, projection: AsyncProjection): Promise<void> => {
  await pool.query(
    `UPDATE projection_checkpoints SET position = 0, transaction_id = '0', events_applied = 0, owner = NULL WHERE projection = $1`,
    [projection.name],
  );
  await pool.query(`UPDATE projection_controls SET paused = false, status = 'running', last_error = NULL WHERE projection = $1`, [
    projection.name,
  ]);
  await pool.query(`DELETE FROM projection_dead_letters WHERE projection = $1`, [projection.name]);
  await pool.query(`TRUNCATE ${projection.tables.join(', ')}`);
};

/** The last event in the order workers read the log: (transaction id, position). */
const logHead = async (pool: pg.Pool): Promise<LogHead> => {
  const { rows } = await pool.query<LogHead>(
    // Qualified: a bare `position` would order by the text alias, and '9999' sorts after '10000'.
    `SELECT transaction_id::text AS "transactionId", position::text AS position FROM events
     ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1`,
  );
  if (!rows[0]) throw new Error('the log is empty');
  return rows[0];
};

/**
 * Polls until every partition's checkpoint is at the head; resolves to the events they
 * applied. Fails when the checkpoints stop moving short of the head for STALL_MS.
 */
const waitForHead = async (pool: pg.Pool, projection: AsyncProjection, head: LogHead): Promise<number> => {
  let progressAt = performance.now();
  let lastState = '';
  for (;;) {
    const { rows } = await pool.query<{ at_head: number; applied: string; state: string }>(
      `SELECT count(*) FILTER (WHERE transaction_id = $2::text::xid8 AND position = $3)::int AS at_head,
              coalesce(sum(events_applied), 0)::text AS applied,
              string_agg(partition || ':' || transaction_id || '/' || position, ' ' ORDER BY partition) AS state
       FROM projection_checkpoints WHERE projection = $1`,
      [projection.name, head.transactionId, head.position],
    );
    const { at_head: atHead, applied, state } = rows[0];
    if (atHead === projection.partitions) return Number(applied);
    if (state !== lastState) {
      lastState = state;
      progressAt = performance.now();
    } else if (performance.now() - progressAt > STALL_MS) {
      throw new Error(
        `${projection.name}: checkpoints stopped short of the head ${head.transactionId}/${head.position} ` +
          `for ${STALL_MS / 1000} s: ${state ?? 'none'}`,
      );
    }
    await sleep(POLL_MS);
  }
};

/**
 * Times one SubscriptionWorker (its own pool, default options but `batchSize`) catching
 * `projection` up from checkpoint 0 to the head of the log, sampling the process's RSS.
 * Checks that every handled event was applied once.
 */
export const catchUp = async (database: ExtraDatabase, projection: AsyncProjection, batchSize: number): Promise<CatchUp> => {
  await resetProjection(database.pool, projection);
  const head = await logHead(database.pool);
  const handled = Number(
    (await database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE type = ANY($1)`, [projection.handles])).rows[0].n,
  );
  const pool = new pg.Pool({ connectionString: database.url, max: WORKER_POOL_SIZE });
  pool.on('error', (error) => progress(`worker connection failed: ${error.message}`));
  const registry = reservationRegistry();
  // As the app's worker reads: listening for forgettings, so its partitions share each page.
  const { personalData, stop: stopListening } = await listeningPersonalData(pool, registry);
  const reader = new ReadTimedLog(pool, registry, personalData);
  const timed = applyTimed(projection);
  const worker = new SubscriptionWorker(pool, reader, [projectionSubscription(timed.projection)], { batchSize, log: progress });
  try {
    const { result, rss } = await withRssSampling(async () => {
      const start = performance.now();
      await worker.start();
      const applied = await waitForHead(database.pool, projection, head);
      return { applied, elapsedMs: performance.now() - start };
    });
    if (result.applied !== handled) throw new Error(`${projection.name}: applied ${result.applied} events of ${handled}`);
    return {
      work: { events: handled, ops: timed.applies.calls, elapsedMs: result.elapsedMs, latenciesMs: timed.applies.latenciesMs },
      rss,
      reads: reader.reads,
      applies: timed.applies,
      partitions: projection.partitions,
    };
  } finally {
    await worker.stop();
    await stopListening();
    await pool.end();
  }
};
