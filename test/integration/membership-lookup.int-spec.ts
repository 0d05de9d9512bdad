import { jest } from '@jest/globals';
import pg from 'pg';
import { PgMembershipLookup } from '../../src/contexts/tenancy/infrastructure/pg-membership-lookup.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The lookup behind every tenant-scoped request batches concurrent questions into one
 * statement; each caller must still get its own pair's role, read after it asked.
 */
describe('PgMembershipLookup', () => {
  let db: TestDatabase;
  let lookup: PgMembershipLookup;

  const join = (practiceId: string, userId: string, role: string) =>
    db.pool.query(`INSERT INTO practice_members (practice_id, user_id, role, joined_at) VALUES ($1, $2, $3, now())`, [practiceId, userId, role]);

  beforeAll(async () => {
    db = await createTestDatabase();
    lookup = new PgMembershipLookup(db.pool);
    await join('harbour', 'olivia', 'owner');
    await join('harbour', 'sam', 'staff');
    await join('meadow', 'sam', 'viewer');
  });
  afterAll(() => db.drop());

  /** Each (practice, user) pair's answer when all are asked at once: its role, or 'failed'. */
  const askTogether = async (asked: readonly [string, string][]) =>
    (await Promise.allSettled(asked.map(([practiceId, userId]) => lookup.roleOf(practiceId, userId)))).map((answer) =>
      answer.status === 'fulfilled' ? answer.value : 'failed',
    );

  it('answers each of many concurrent questions with its own pair’s role', async () => {
    const asked: [string, string][] = [
      ['harbour', 'olivia'],
      ['harbour', 'sam'],
      ['meadow', 'sam'],
      ['meadow', 'olivia'],
      ['nowhere', 'sam'],
      ['harbour', 'sam'],
    ];
    expect(await askTogether(asked)).toEqual(['owner', 'staff', 'viewer', null, null, 'staff']);
  });

  it('sends the questions asked in one turn of the event loop in one statement', async () => {
    const counted = new PgMembershipLookup(db.pool);
    const query = jest.spyOn(db.pool, 'query');
    try {
      const answers = await Promise.all([
        counted.roleOf('harbour', 'olivia'),
        counted.roleOf('harbour', 'sam'),
        counted.roleOf('meadow', 'sam'),
      ]);
      expect(answers).toEqual(['owner', 'staff', 'viewer']);
      expect(query).toHaveBeenCalledTimes(1);
    } finally {
      query.mockRestore();
    }
  });

  it('sees a membership removed before it was asked, also while other questions are in flight', async () => {
    await join('harbour', 'ada', 'admin');
    expect(await lookup.roleOf('harbour', 'ada')).toBe('admin');
    const before = lookup.roleOf('harbour', 'olivia');
    await db.pool.query(`DELETE FROM practice_members WHERE practice_id = 'harbour' AND user_id = 'ada'`);
    const [, after] = await Promise.all([before, lookup.roleOf('harbour', 'ada')]);
    expect(after).toBeNull();
  });

  it('answers each question of a batch as if alone when another pair of it fails the statement', async () => {
    const poisoned: [string, string][] = [['harbour\u0000', 'sam'], ['harbour', '\ud800']];
    const answers = await askTogether([['harbour', 'olivia'], poisoned[0], ['meadow', 'sam'], poisoned[1], ['nowhere', 'sam']]);
    expect(answers).toEqual(['owner', 'failed', 'viewer', 'failed', null]);
  });

  it('fails every question when PostgreSQL cannot be reached, and sends the next question anew', async () => {
    const closed = new pg.Pool({ connectionString: db.url });
    await closed.end();
    const broken = new PgMembershipLookup(closed);
    const answers = await Promise.allSettled([broken.roleOf('harbour', 'olivia'), broken.roleOf('harbour', 'sam')]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
    await expect(broken.roleOf('harbour', 'ada')).rejects.toThrow();
  });
});
