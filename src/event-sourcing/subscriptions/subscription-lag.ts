import type { Pool, PoolClient } from 'pg';

export interface SubscriptionLag {
  /** Events in the log after the slowest partition's checkpoint (of any type: an upper bound). */
  readonly events: number;
  /** Age of the oldest event the slowest partition has not passed; 0 when caught up. */
  readonly seconds: number;
}

export const NO_LAG: SubscriptionLag = { events: 0, seconds: 0 };

/**
 * How far each subscription is behind the log, in one statement: from its slowest partition's
 * checkpoint, in the log's own order `(transaction_id, position)` (the index's), so a range scan.
 * `names` null: every subscription with checkpoints (the operators' report asks for one, metrics for all).
 */
export const subscriptionLags = async (
  db: Pool | PoolClient,
  names: readonly string[] | null,
): Promise<Map<string, SubscriptionLag>> => {
  const { rows } = await db.query<{ name: string; events: string; seconds: number | null }>(
    `WITH slowest AS (
       SELECT DISTINCT ON (projection) projection, transaction_id, position FROM projection_checkpoints
       WHERE $1::text[] IS NULL OR projection = ANY($1::text[])
       ORDER BY projection, transaction_id, position
     )
     SELECT s.projection AS name, count(e.position) AS events,
            extract(epoch FROM now() - min(e.recorded_at))::float8 AS seconds
     FROM slowest s LEFT JOIN events e ON (e.transaction_id, e.position) > (s.transaction_id, s.position)
     GROUP BY s.projection`,
    [names],
  );
  return new Map(rows.map((row) => [row.name, { events: Number(row.events), seconds: Math.max(0, row.seconds ?? 0) }]));
};
