import type { Pool, PoolClient } from 'pg';
import type { StreamId } from '../store/event-envelope.js';

/**
 * The partition of a stream, as SQL over the columns of `events`: PostgreSQL computes it
 * (chronicle_stream_partition, see migration 1764000000007), so a worker's read skips other
 * partitions' events in the database. All events of one stream fall in one partition, so
 * per-stream order is kept. `$partitions` is the placeholder of the partition count.
 */
export const partitionSql = (partitions: string): string =>
  `chronicle_stream_partition(tenant_id, aggregate_type, aggregate_id, ${partitions})`;

/** The partition of one stream (for operators and tests; workers filter in SQL). */
export const partitionOf = async (db: Pool | PoolClient, stream: StreamId, partitions: number): Promise<number> => {
  const { rows } = await db.query<{ partition: number }>(`SELECT chronicle_stream_partition($1, $2, $3, $4) AS partition`, [
    stream.tenantId,
    stream.aggregateType,
    stream.aggregateId,
    partitions,
  ]);
  return rows[0].partition;
};
