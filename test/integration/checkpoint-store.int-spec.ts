import { CheckpointStore } from '../../src/event-sourcing/subscriptions/checkpoint-store.js';
import type { LogCursor } from '../../src/event-sourcing/store/log-cursor.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Where a replay leaves each partition's checkpoint, on real PostgreSQL: the log is ordered by
 * (transaction id, position), so a checkpoint with a bigger position may still be behind.
 */
describe('CheckpointStore.moveBackAll (a replay)', () => {
  let db: TestDatabase;
  let checkpoints: CheckpointStore;

  const place = (partition: number, at: LogCursor) =>
    db.pool.query(
      `UPDATE projection_checkpoints SET transaction_id = $3::text::xid8, position = $4 WHERE projection = $1 AND partition = $2`,
      ['replayed', partition, at.transactionId, at.position],
    );
  const places = async (): Promise<LogCursor[]> => {
    const { rows } = await db.pool.query<{ transaction_id: string; position: string }>(
      `SELECT transaction_id::text, position FROM projection_checkpoints WHERE projection = 'replayed' ORDER BY partition`,
    );
    return rows.map((row) => ({ transactionId: row.transaction_id, position: Number(row.position) }));
  };

  beforeAll(async () => {
    db = await createTestDatabase(2);
    checkpoints = new CheckpointStore(db.pool);
  });
  afterAll(() => db.drop());

  it('moves back the partitions past the cursor and leaves those at or before it where they are', async () => {
    await checkpoints.ensure('replayed', 5);
    const cursor = { transactionId: '95', position: 9 };
    const laterTransaction = { transactionId: '100', position: 5 };
    const earlierTransaction = { transactionId: '90', position: 70 };
    const samePastIt = { transactionId: '95', position: 10 };
    const start = { transactionId: '0', position: 0 };
    for (const [partition, at] of [laterTransaction, earlierTransaction, samePastIt, cursor, start].entries()) await place(partition, at);

    await checkpoints.moveBackAll(db.pool, 'replayed', cursor);

    expect(await places()).toEqual([cursor, earlierTransaction, cursor, cursor, start]);
  });
});
