import { IdempotencyKeys, type KeyScope } from '../../src/event-sourcing/nest/idempotency-keys.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A key's answer is stored by the request that holds it: one whose claim was taken over (it ran
 * past the abandonment time, and the key past its TTL) writes nothing over its successor's claim,
 * and releases nothing of it.
 */
const TTL_HOURS = 24;

describe('IdempotencyKeys, when a request’s claim was taken over while it ran', () => {
  let db: TestDatabase;
  let keys: IdempotencyKeys;
  const scope: KeyScope = ['practice-1', 'sam', 'taken-over'];
  const row = async () =>
    (await db.pool.query(`SELECT fingerprint, status_code, attempted_at FROM idempotency_keys WHERE key = $1`, [scope[2]])).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase(2);
    keys = new IdempotencyKeys(db.pool, TTL_HOURS);
  });
  afterAll(() => db.drop());

  it('stores the answer of the request holding the key, not the earlier one’s, and the earlier one releases nothing', async () => {
    const earlier = await keys.claim(scope, 'earlier');
    // As if the earlier request had been running for a day: abandoned, and its key expired.
    const aged = `UPDATE idempotency_keys SET created_at = now() - interval '25 hours', attempted_at = now() - interval '2 minutes'`;
    await db.pool.query(aged);
    const later = await keys.claim(scope, 'later');
    expect(earlier).not.toBeNull();
    expect(later).not.toBeNull();

    expect(await keys.complete(earlier!, 201, {}, '{"from":"earlier"}')).toBe(false);
    await keys.release(earlier!);

    expect(await row()).toMatchObject({ fingerprint: 'later', status_code: null, attempted_at: expect.any(Date) });
    expect(await keys.complete(later!, 200, {}, '{"from":"later"}')).toBe(true);
    expect(await keys.stored(scope)).toMatchObject({ fingerprint: 'later', status_code: 200, body: { from: 'later' } });
  });
});
