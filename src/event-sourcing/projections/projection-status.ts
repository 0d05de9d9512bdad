import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../store/in-transaction.js';
import type { AsyncProjection } from './async-projection.js';
import { leaseKeyAsOid } from '../subscriptions/lease-key.js';
import type { SubscriptionStatus } from '../subscriptions/subscription-controls.js';
import { NO_LAG, subscriptionLags } from '../subscriptions/subscription-lag.js';
import { unretriedDeadLetters } from '../subscriptions/dead-letters.js';

export interface PartitionStatus {
  readonly partition: number;
  readonly position: number;
  readonly transactionId: string;
  readonly eventsApplied: number;
  readonly owner: string | null;
  readonly ownerAlive: boolean;
  readonly updatedAt: string;
}

export interface ProjectionReport {
  readonly name: string;
  readonly handles: readonly string[];
  readonly status: SubscriptionStatus;
  readonly paused: boolean;
  readonly lastError: string | null;
  readonly partitions: readonly PartitionStatus[];
  /** Events in the log after the slowest partition's checkpoint (of any type: an upper bound). */
  readonly lagEvents: number;
  /** Age of the oldest event the slowest partition has not passed; 0 when caught up. */
  readonly lagSeconds: number;
  readonly deadLetters: number;
}

interface Row {
  partition: number;
  position: string;
  transaction_id: string;
  events_applied: string;
  owner: string | null;
  owner_alive: boolean;
  updated_at: string;
}

/** What operators see of each projection: where it is, who runs it, how far behind it is. */
export const projectionReport = async (pool: Pool, projection: AsyncProjection): Promise<ProjectionReport> => {
  // One snapshot for all four reads, so lag and checkpoints describe the same moment.
  const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
  return inTransaction(pool, (client) => readReport(client, projection), begin);
};

const readReport = async (pool: PoolClient, projection: AsyncProjection): Promise<ProjectionReport> => {
  const partitions = await pool.query<Row>(
      // The owner is whoever holds the slot's advisory lock now (its connection is named after it).
      `SELECT c.partition, c.position, c.transaction_id::text, c.events_applied, to_json(c.updated_at)#>>'{}' AS updated_at,
              lease.application_name AS owner, lease.application_name IS NOT NULL AS owner_alive
       FROM projection_checkpoints c
       LEFT JOIN LATERAL (
         SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid::bigint = $2 AND l.objid::bigint = c.partition AND l.objsubid = 2
         LIMIT 1
       ) lease ON true
       WHERE c.projection = $1 ORDER BY c.partition`,
      [projection.name, leaseKeyAsOid(projection.name)],
    );
  const control = await pool.query<{ paused: boolean; status: SubscriptionStatus; last_error: string | null }>(
      `SELECT paused, status, last_error FROM projection_controls WHERE projection = $1`,
      [projection.name],
    );
  const lag = (await subscriptionLags(pool, [projection.name])).get(projection.name) ?? NO_LAG;
  const deadLetters = (await unretriedDeadLetters(pool, [projection.name])).get(projection.name) ?? 0;
  const controlRow = control.rows[0] ?? { paused: false, status: 'running' as const, last_error: null };
  return {
    name: projection.name,
    handles: projection.handles,
    status: controlRow.status,
    paused: controlRow.paused,
    lastError: controlRow.last_error,
    partitions: partitions.rows.map((row) => ({
      partition: row.partition,
      position: Number(row.position),
      transactionId: row.transaction_id,
      eventsApplied: Number(row.events_applied),
      owner: row.owner,
      ownerAlive: row.owner_alive,
      updatedAt: row.updated_at,
    })),
    lagEvents: lag.events,
    lagSeconds: lag.seconds,
    deadLetters,
  };
};
