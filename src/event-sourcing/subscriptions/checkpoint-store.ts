import type { Pool, PoolClient } from 'pg';
import { LOG_START, type LogCursor } from '../store/log-cursor.js';

/** A partition whose checkpoint a step moves, and how many events it applied on the way. */
export interface PartitionApplied {
  readonly partition: number;
  readonly applied: number;
}

export interface Checkpoint {
  readonly cursor: LogCursor;
  readonly eventsApplied: number;
}

/** Checkpoints per subscription and partition; moved only together with the subscription's writes. */
export class CheckpointStore {
  constructor(private readonly pool: Pool) {}

  async ensure(subscription: string, partitions: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO projection_checkpoints (projection, partition)
       SELECT $1, p FROM generate_series(0, $2 - 1) AS p ON CONFLICT DO NOTHING`,
      [subscription, partitions],
    );
    await this.pool.query(`INSERT INTO projection_controls (projection) VALUES ($1) ON CONFLICT DO NOTHING`, [subscription]);
  }

  async load(subscription: string, partition: number): Promise<Checkpoint> {
    const { rows } = await this.pool.query<{ transaction_id: string; position: string; events_applied: string }>(
      `SELECT transaction_id::text, position, events_applied FROM projection_checkpoints WHERE projection = $1 AND partition = $2`,
      [subscription, partition],
    );
    const row = rows[0];
    if (!row) return { cursor: LOG_START, eventsApplied: 0 };
    return { cursor: { transactionId: row.transaction_id, position: Number(row.position) }, eventsApplied: Number(row.events_applied) };
  }

  /**
   * Moves the checkpoints of `partitions` (each with the events it applied) from `from` to `to`
   * inside the caller's transaction, in one statement. False when any of them is no longer at
   * `from` (another worker moved it): the caller must roll back its writes.
   */
  async advance(
    client: PoolClient,
    subscription: string,
    partitions: readonly PartitionApplied[],
    from: LogCursor,
    to: LogCursor,
    owner: string,
  ): Promise<boolean> {
    // Prepared once per connection (named): the statement of every step's transaction, not parsed and planned each time.
    const result = await client.query({
      name: 'chronicle_advance_checkpoints',
      text: `UPDATE projection_checkpoints c
       SET transaction_id = $6::text::xid8, position = $7, events_applied = c.events_applied + moved.applied, owner = $8, updated_at = now()
       FROM unnest($2::int[], $3::bigint[]) AS moved (partition, applied)
       WHERE c.projection = $1 AND c.partition = moved.partition AND c.transaction_id = $4::text::xid8 AND c.position = $5`,
      values: [
        subscription,
        partitions.map((p) => p.partition),
        partitions.map((p) => p.applied),
        from.transactionId,
        from.position,
        to.transactionId,
        to.position,
        owner,
      ],
    });
    return result.rowCount === partitions.length;
  }

  /**
   * Moves back to `cursor` every partition of a subscription that is past it (replay); one at
   * or before it stays: moved forward, it would never apply the events in between. One
   * statement: a worker's batch that moved a checkpoint meanwhile is waited for (its row lock)
   * and judged by where it left it, so the comparison and the move see the same checkpoint.
   */
  async moveBackAll(client: PoolClient | Pool, subscription: string, cursor: LogCursor): Promise<void> {
    await client.query(
      `UPDATE projection_checkpoints SET transaction_id = $2::text::xid8, position = $3, updated_at = now()
       WHERE projection = $1 AND (transaction_id, position) > ($2::text::xid8, $3::bigint)`,
      [subscription, cursor.transactionId, cursor.position],
    );
  }

  /** Puts every partition of a subscription at `cursor`, wherever each is (after a rebuild's swap). */
  async resetAll(client: PoolClient | Pool, subscription: string, cursor: LogCursor): Promise<void> {
    await client.query(
      `UPDATE projection_checkpoints SET transaction_id = $2::text::xid8, position = $3, updated_at = now() WHERE projection = $1`,
      [subscription, cursor.transactionId, cursor.position],
    );
  }
}
