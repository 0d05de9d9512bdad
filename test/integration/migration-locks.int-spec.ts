import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { EventsRecordedAtInsertTime1764000000021 } from '../../migrations/1764000000021-events-recorded-at-insert-time.js';
import { runMigrations } from '../../src/database/run-migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A new version's process applies its migrations at start while the previous version's
 * processes serve (operations.md: "replace processes one by one; a process also applies
 * pending migrations at start"). A migration that alters the events table needs its ACCESS
 * EXCLUSIVE lock; if a long reader holds the table (a pg_dump backup, an analyst's session,
 * a slow export), the migration waits, and every append queued behind it waits too, for as
 * long as that reader lasts. A migration must give up (lock_timeout) and try again rather than
 * stop the serving processes' writes.
 */
describe('a migration waiting for a lock on the events table', () => {
  let db: TestDatabase;
  const migration = new EventsRecordedAtInsertTime1764000000021();

  beforeAll(async () => {
    db = await createTestDatabase(2);
    // The database as the previous version left it: the last migration (ALTER TABLE events) not applied yet.
    const runner = { query: async (sql: string) => (await db.pool.query(sql)).rows } as never;
    await migration.down(runner);
    await db.pool.query(`DELETE FROM migrations WHERE name = $1`, [migration.name]);
  });
  afterAll(() => db.drop());

  it('does not hold the serving processes\' appends back behind a long reader', async () => {
    const reader = new pg.Client({ connectionString: db.url });
    const writer = new pg.Client({ connectionString: db.url });
    await reader.connect();
    await writer.connect();
    let migrating: Promise<unknown> | undefined;
    try {
      // A long read of the log, as pg_dump's: ACCESS SHARE on events until it ends.
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM events');

      // The new version starts and migrates.
      migrating = runMigrations(db.url).then(
        (applied) => ({ applied }),
        (error: unknown) => ({ error: String(error) }),
      );
      await new Promise((r) => setTimeout(r, 1_000));

      // The old version's processes go on appending.
      await writer.query(`SET statement_timeout = 3000`);
      const append = await writer
        .query(
          `INSERT INTO events (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version, data, metadata, occurred_at)
           VALUES ($1, 't', 'notebook', 'n-1', 1, 'NotebookCreated', 1, '{}', '{}', now())`,
          [randomUUID()],
        )
        .then(
          () => 'appended',
          (error: Error) => `failed: ${error.message}`,
        );
      expect(append).toBe('appended');
    } finally {
      await reader.query('ROLLBACK').catch(() => undefined);
      await migrating;
      await reader.end();
      await writer.end();
    }
  });
});
