import type { QueryRunner } from 'typeorm';
import { StreamPartition1764000000007 } from '../../migrations/1764000000007-stream-partition.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Migration 1764000000007 moves streams to new partitions: safe only while every partition of
 * a projection stands at the same place in the log, so it must refuse otherwise.
 */
describe('migration 1764000000007 (stream partitions computed by PostgreSQL)', () => {
  let db: TestDatabase;
  // The migration only runs SQL: a query runner on the test database's pool is all it needs.
  const runner = () => ({ query: async (sql: string) => (await db.pool.query(sql)).rows }) as unknown as QueryRunner;
  const migration = new StreamPartition1764000000007();

  beforeAll(async () => {
    db = await createTestDatabase(2);
    await migration.down(runner());
  });
  afterAll(() => db.drop());

  const checkpoints = async (projection: string, places: readonly [string, number][]) => {
    for (const [partition, [transactionId, position]] of places.entries()) {
      await db.pool.query(
        `INSERT INTO projection_checkpoints (projection, partition, transaction_id, position) VALUES ($1, $2, $3::text::xid8, $4)`,
        [projection, partition, transactionId, position],
      );
    }
  };

  it("refuses while a projection's partitions stand at different places, naming it", async () => {
    await checkpoints('caught_up', [['900', 12], ['900', 12]]);
    await checkpoints('behind', [['900', 12], ['800', 3]]);
    await expect(migration.up(runner())).rejects.toThrow(/partitions of behind stand at different places/);
    expect((await db.pool.query(`SELECT 1 FROM pg_proc WHERE proname = 'chronicle_stream_partition'`)).rowCount).toBe(0);
  });

  it('runs once they all stand together, and puts every stream in one partition of the count asked for', async () => {
    await db.pool.query(`UPDATE projection_checkpoints SET transaction_id = '900', position = 12 WHERE projection = 'behind'`);
    await migration.up(runner());
    const { rows } = await db.pool.query<{ partition: number }>(
      `SELECT DISTINCT chronicle_stream_partition('tenant', 'notebook', 'n-' || i, 4) AS partition
       FROM generate_series(1, 200) AS i ORDER BY partition`,
    );
    expect(rows.map((row) => row.partition)).toEqual([0, 1, 2, 3]);
  });
});
