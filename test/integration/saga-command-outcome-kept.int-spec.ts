import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { SagaCommandOutcomeKept1764000000020 } from '../../migrations/1764000000020-saga-command-outcome-kept.js';
import { OUTCOME_RECORDED } from '../../src/event-sourcing/sagas/saga-command-applied.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Migration 1764000000020: a saga command's outcome, once recorded, is never replaced, whoever
 * writes it; everything else about the row stays writable.
 */
describe('migration 1764000000020 (a saga command keeps its outcome)', () => {
  let db: TestDatabase;
  // The migration only runs SQL: a query runner on the test database's pool is all it needs.
  const runner = () => ({ query: async (sql: string) => (await db.pool.query(sql)).rows }) as unknown as QueryRunner;
  const migration = new SagaCommandOutcomeKept1764000000020();

  /** An outbox row, unsent or with an outcome. */
  const command = async (outcome: 'applied' | 'refused' | null): Promise<string> => {
    const commandId = randomUUID();
    await db.pool.query(
      `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id, sent_at, outcome)
       VALUES ($1, 'a-saga', 'tenant-1', $2, 'payment', 'RequestPayment', '{}', 'c-1', 'e-1', CASE WHEN $3::text IS NOT NULL THEN clock_timestamp() END, $3)`,
      [commandId, randomUUID(), outcome],
    );
    return commandId;
  };
  const update = (set: string, commandId: string) => db.pool.query(`UPDATE saga_commands SET ${set} WHERE command_id = $1`, [commandId]);
  const rowOf = async (commandId: string) =>
    (await db.pool.query(`SELECT outcome, error, sent_at IS NOT NULL AS sent FROM saga_commands WHERE command_id = $1`, [commandId])).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase(2);
  });
  afterAll(() => db.drop());

  it('refuses to replace a recorded outcome, or to make a sent command unsent, with its own SQLSTATE', async () => {
    const applied = await command('applied');
    const refused = await command('refused');

    const refusal = { code: OUTCOME_RECORDED, message: expect.stringMatching(/has an outcome already \(applied\)/) };
    await expect(update(`outcome = 'refused', error = '{"code":"GIVEN_UP"}'`, applied)).rejects.toMatchObject(refusal);
    await expect(update(`sent_at = clock_timestamp(), outcome = 'applied'`, refused)).rejects.toMatchObject({ code: OUTCOME_RECORDED });
    await expect(update(`sent_at = NULL, outcome = NULL`, applied)).rejects.toMatchObject({ code: OUTCOME_RECORDED });
    await expect(update(`sent_at = sent_at + interval '1 second'`, applied)).rejects.toMatchObject({ code: OUTCOME_RECORDED });

    expect(await rowOf(applied)).toEqual({ outcome: 'applied', error: null, sent: true });
    expect(await rowOf(refused)).toEqual({ outcome: 'refused', error: null, sent: true });
  });

  it('lets an outcome be recorded once, and leaves the other columns of a sent command writable', async () => {
    const unsent = await command(null);
    await update(`claimed_until = clock_timestamp(), attempts = attempts + 1, give_up_by = 'olga'`, unsent);
    await update(`sent_at = clock_timestamp(), outcome = 'refused', error = '{"code":"GIVEN_UP"}'`, unsent);
    await update(`claimed_until = NULL, error = '{"code":"GIVEN_UP","message":"redacted"}'`, unsent);
    // The senders' own marks say `WHERE sent_at IS NULL`: they find nothing to mark, and raise nothing.
    const { rowCount } = await db.pool.query(`UPDATE saga_commands SET sent_at = clock_timestamp(), outcome = 'applied' WHERE command_id = $1 AND sent_at IS NULL`, [
      unsent,
    ]);

    expect(rowCount).toBe(0);
    expect(await rowOf(unsent)).toEqual({ outcome: 'refused', error: { code: 'GIVEN_UP', message: 'redacted' }, sent: true });
  });

  it('is undone by its down migration, and done again by its up migration', async () => {
    const applied = await command('applied');
    await migration.down(runner());
    try {
      await update(`outcome = 'refused'`, applied);
    } finally {
      await migration.up(runner());
    }
    expect((await rowOf(applied)).outcome).toBe('refused');
    await expect(update(`outcome = 'applied'`, applied)).rejects.toMatchObject({ code: OUTCOME_RECORDED });
  });
});
