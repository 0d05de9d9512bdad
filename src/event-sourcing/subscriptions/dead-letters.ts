import type { Pool, PoolClient } from 'pg';
import { streamKey, type RecordedEvent } from '../store/event-envelope.js';

export interface DeadLetter {
  readonly id: number;
  readonly subscription: string;
  readonly partition: number;
  readonly eventId: string;
  readonly position: number;
  readonly stream: string;
  readonly eventType: string;
  readonly error: string;
  readonly stack: string | null;
  readonly attempts: number;
  readonly createdAt: string;
  readonly retriedAt: string | null;
}

/**
 * Dead letters not retried yet, per subscription, in one statement (`names` null: every subscription
 * with checkpoints or dead letters; a subscription without any counts 0).
 */
export const unretriedDeadLetters = async (
  db: Pool | PoolClient,
  names: readonly string[] | null,
): Promise<Map<string, number>> => {
  const { rows } = await db.query<{ name: string; n: number }>(
    `WITH named AS (
       SELECT projection FROM projection_checkpoints UNION SELECT projection FROM projection_dead_letters
     )
     SELECT n.projection AS name, count(d.id)::int AS n
     FROM named n LEFT JOIN projection_dead_letters d ON d.projection = n.projection AND d.retried_at IS NULL
     WHERE $1::text[] IS NULL OR n.projection = ANY($1::text[])
     GROUP BY n.projection`,
    [names],
  );
  return new Map(rows.map((row) => [row.name, row.n]));
};

/** Events a subscription could not handle after all its attempts, with the error and stack. */
export class DeadLetters {
  constructor(private readonly pool: Pool) {}

  async record(
    client: PoolClient | Pool,
    subscription: string,
    partition: number,
    event: RecordedEvent,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const failure = error instanceof Error ? error : new Error(String(error));
    await client.query(
      `INSERT INTO projection_dead_letters
         (projection, partition, event_id, position, transaction_id, stream, event_type, error, stack, attempts)
       VALUES ($1, $2, $3, $4, $5::text::xid8, $6, $7, $8, $9, $10)
       ON CONFLICT (projection, event_id) DO UPDATE
       SET error = excluded.error, stack = excluded.stack, attempts = projection_dead_letters.attempts + excluded.attempts,
           created_at = now(), retried_at = NULL`,
      [subscription, partition, event.eventId, event.position, event.transactionId, streamKey(event), event.type, failure.message, failure.stack ?? null, attempts],
    );
  }

  async list(subscription?: string): Promise<DeadLetter[]> {
    const { rows } = await this.pool.query<DeadLetter>(
      `SELECT id::int, projection AS subscription, partition, event_id AS "eventId", position::float8 AS position, stream,
              event_type AS "eventType", error, stack, attempts,
              to_json(created_at)#>>'{}' AS "createdAt", to_json(retried_at)#>>'{}' AS "retriedAt"
       FROM projection_dead_letters WHERE ($1::text IS NULL OR projection = $1) ORDER BY id`,
      [subscription ?? null],
    );
    return rows;
  }

  async find(id: number): Promise<DeadLetter | null> {
    return (await this.list()).find((letter) => letter.id === id) ?? null;
  }

  async markRetried(id: number): Promise<void> {
    await this.pool.query(`UPDATE projection_dead_letters SET retried_at = now() WHERE id = $1`, [id]);
  }
}
