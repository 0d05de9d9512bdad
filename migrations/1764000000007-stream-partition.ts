import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partition of a stream, computed by PostgreSQL, so a projection worker reads only its
 * own partition's events instead of every worker parsing the whole log. hashtextextended is
 * the hash PostgreSQL's own hash partitioning stores rows by, so it does not change between
 * releases. A plain SQL function: the planner inlines it into the worker's read.
 *
 * It replaces the FNV-1a hash workers computed in Node, so streams change partitions. That is
 * safe only while every partition of a projection stands at the same place in the log (each
 * event up to it applied, none after): the migration refuses otherwise.
 */
export class StreamPartition1764000000007 implements MigrationInterface {
  name = 'StreamPartition1764000000007';

  async up(db: QueryRunner): Promise<void> {
    const diverged: { projection: string }[] = await db.query(`
      SELECT projection FROM projection_checkpoints
      GROUP BY projection HAVING count(DISTINCT (transaction_id::text, position)) > 1 ORDER BY projection`);
    if (diverged.length > 0) {
      throw new Error(
        `Streams move to new partitions, but the partitions of ${diverged.map((row) => row.projection).join(', ')} ` +
          `stand at different places in the log. Stop the web processes, let the old workers catch up ` +
          `(every checkpoint at the head), stop them, and migrate again; or replay those projections from 0.`,
      );
    }
    await db.query(`
      CREATE FUNCTION chronicle_stream_partition(
        p_tenant_id text, p_aggregate_type text, p_aggregate_id text, p_partitions integer
      ) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ((hashtextextended(p_tenant_id || '/' || p_aggregate_type || '/' || p_aggregate_id, 0)
                 & 2147483647) % p_partitions)::integer
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION chronicle_stream_partition(text, text, text, integer)`);
  }
}
