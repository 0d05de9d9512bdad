import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { day, stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What Idempotency-Key leaves behind is bounded: keys expire after IDEMPOTENCY_KEY_TTL_HOURS
 * (then a request with the key runs anew, but never while one with it still runs) and are deleted, a large refusal is stored short,
 * and keys themselves are at most 255 visible ASCII characters.
 */
const STAFF = 'sam';
const TTL_HOURS = 2;

describe('Idempotency-Key retention', () => {
  let app: TestApp;
  let practice: string;

  const reservations = (rest = '') => `/v1/practices/${practice}/reservations${rest}`;
  const keyed = (path: string, key: string, body?: unknown): Promise<Reply> =>
    sendJson(app.baseUrl, 'POST', reservations(path), { ...app.as(STAFF), 'idempotency-key': key }, body);
  /** Moves a key's first use back in time, as if it had been stored that long ago. */
  const age = (key: string, hours: number) => {
    const aged = `UPDATE idempotency_keys SET created_at = now() - make_interval(hours => $2) WHERE key = $1`;
    return app.db.pool.query(aged, [key, hours]);
  };
  const storedKeys = async (keys: readonly string[]): Promise<string[]> => {
    const stored = `SELECT key FROM idempotency_keys WHERE key = ANY($1) ORDER BY key`;
    return (await app.db.pool.query<{ key: string }>(stored, [keys])).rows.map((row) => row.key);
  };

  const createdCount = async (): Promise<number> => {
    const created = `SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'reservation.created'`;
    return (await app.db.pool.query<{ n: number }>(created, [practice])).rows[0].n;
  };

  beforeAll(async () => {
    app = await startTestApp({ IDEMPOTENCY_KEY_TTL_HOURS: String(TTL_HOURS) });
    practice = await createPractice(app, STAFF);
  });
  afterAll(() => app.close());

  describe('when a key is older than the TTL', () => {
    it('is not replayed: a request with it runs as a new one', async () => {
      expect((await keyed('', 'expiring', stay(2))).status).toBe(201);
      await age('expiring', TTL_HOURS + 1);

      const reused = await keyed('', 'expiring', stay(3));

      expect(reused.status).toBe(201);
      expect(reused.headers.get('idempotent-replayed')).toBeNull();
      expect(reused.body).toMatchObject({ status: 'pending', version: 1 });
    });

    it('is not taken for its predecessor: a change reusing it on the same reservation is applied', async () => {
      const id = (await keyed('', 'for-change', stay())).body.reservationId as string;
      expect((await keyed(`/${id}/change`, 'change-again', { checkInDate: day(11), nights: 2 })).status).toBe(200);
      await age('change-again', TTL_HOURS + 1);

      const changed = await keyed(`/${id}/change`, 'change-again', { checkInDate: day(12), nights: 3 });

      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ status: 'pending', version: 3 });
    });

    it('is deleted when later keys are used', async () => {
      const old = ['old-1', 'old-2', 'old-3'];
      for (const key of old) expect((await keyed('', key, stay())).status).toBe(201);
      for (const key of old) await age(key, TTL_HOURS + 1);

      expect((await keyed('', 'fresh', stay())).status).toBe(201);

      expect(await storedKeys([...old, 'fresh'])).toEqual(['fresh']);
    });
  });

  describe('when a key reaches the TTL while a request with it runs', () => {
    /**
     * Sends a create under `key` twice: the second while the first holds the key, its append held
     * back by a lock (a slow disk, say), and the key has grown older than the TTL (and `meanwhile` ran).
     */
    const twiceAcrossTtl = async (key: string, meanwhile = async () => {}): Promise<Reply[]> => {
      const blocker = new pg.Client({ connectionString: app.db.url });
      await blocker.connect();
      try {
        await blocker.query(`BEGIN; LOCK TABLE reservations IN EXCLUSIVE MODE`);
        const first = keyed('', key, stay());
        const claimed = `SELECT 1 FROM idempotency_keys WHERE key = $1 AND attempted_at IS NOT NULL`;
        while ((await app.db.pool.query(claimed, [key])).rowCount === 0) await sleep(20);
        await age(key, TTL_HOURS + 1);
        await meanwhile();
        const second = keyed('', key, stay());
        await sleep(1_000); // the second request has sent its claim by now
        await blocker.query('COMMIT');
        return await Promise.all([first, second]);
      } finally {
        await blocker.end();
      }
    };

    it('a second request with it waits and gets the first answer: one reservation', async () => {
      const before = await createdCount();

      const [first, second] = await twiceAcrossTtl('straddling');

      expect(first.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect({ status: second.status, body: second.body }).toEqual({ status: first.status, body: first.body });
      expect(await createdCount()).toBe(before + 1);
    });

    it('is not deleted by another key’s claim meanwhile, so a second request with it still gets the first answer', async () => {
      const before = await createdCount();

      let sweeper: Promise<Reply> | undefined;
      const [first, second] = await twiceAcrossTtl('straddling-swept', async () => {
        sweeper = keyed('', 'sweeper', stay()); // its claim deletes expired keys
        const claimed = `SELECT 1 FROM idempotency_keys WHERE key = 'sweeper'`;
        while ((await app.db.pool.query(claimed)).rowCount === 0) await sleep(20);
      });

      expect((await sweeper)?.status).toBe(201);
      expect(first.status).toBe(201);
      expect({ status: second.status, body: second.body }).toEqual({ status: first.status, body: first.body });
      expect(await createdCount()).toBe(before + 2); // the sweeper's and the first's
    });
  });

  describe('when a key is younger than the TTL', () => {
    it('is replayed', async () => {
      const first = await keyed('', 'young', stay());
      await age('young', TTL_HOURS - 1);

      const replayed = await keyed('', 'young', stay());

      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect({ status: replayed.status, body: replayed.body }).toEqual({ status: first.status, body: first.body });
    });
  });

  describe('when a refusal is large', () => {
    // 50 unknown fields of 4,000 characters each: the refusal names every one, twice.
    const manyLongFields = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${i}-${'x'.repeat(4_000)}`, 1]));

    it('keeps at most 4 KB of it, and a replay answers the same status and error code', async () => {
      const id = (await keyed('', 'for-large-refusal', stay())).body.reservationId as string;

      const first = await keyed(`/${id}/confirm`, 'large-refusal', manyLongFields);
      const replayed = await keyed(`/${id}/confirm`, 'large-refusal', manyLongFields);

      expectError(first, 400, 'VALIDATION_FAILED');
      expectError(replayed, 400, 'VALIDATION_FAILED');
      const stored = await app.db.pool.query(
        `SELECT coalesce(sum(octet_length(body::text)), 0)::int AS size
         FROM idempotency_keys WHERE key = 'large-refusal'`,
      );
      expect(stored.rows[0].size).toBeLessThanOrEqual(4_096);
    });
  });

  describe('the key itself', () => {
    it('may be 255 visible ASCII characters', async () => {
      expect((await keyed('', '~'.repeat(255), stay())).status).toBe(201);
    });

    it.each([
      ['256 characters', 'k'.repeat(256)],
      ['a space', 'two words'],
      ['a control character', 'tab\there'],
    ])('is refused with %s, and nothing is stored', async (_, key) => {
      expectError(await keyed('', key, stay()), 400, 'INVALID_IDEMPOTENCY_KEY');
      expect(await storedKeys([key])).toEqual([]);
    });
  });
});
