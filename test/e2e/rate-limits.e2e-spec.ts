import { expectError, sendJson, type Reply } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Requests a second per user and per tenant, with small limits so a burst of parallel
 * requests surely exceeds them. A burst may straddle two one-second windows, so each is
 * several times the limit, and the tests check that some requests are refused, not how many.
 */
const USER_LIMIT = 10;
const TENANT_LIMIT = 4;
const OPERATOR = 'olga';
const burst = (size: number, request: () => Promise<Reply>): Promise<Reply[]> =>
  Promise.all(Array.from({ length: size }, request));

describe('Rate limits', () => {
  let app: TestApp;

  const validate = (userId: string) => () =>
    sendJson(app.baseUrl, 'POST', '/v1/reservations/validate', app.as(userId), stay());
  const list = (userId: string, practiceId: string) => () =>
    sendJson(app.baseUrl, 'GET', `/v1/practices/${practiceId}/reservations`, app.as(userId));
  const refused = (replies: readonly Reply[]) => replies.filter((reply) => reply.status === 429);
  const expectOnlyServedOrLimited = (replies: readonly Reply[], scope: 'user' | 'tenant') => {
    expect(refused(replies).length).toBeGreaterThan(0);
    expect(replies.filter((reply) => reply.status !== 200 && reply.status !== 429)).toEqual([]);
    for (const reply of refused(replies)) {
      expectError(reply, 429, 'RATE_LIMITED');
      expect(reply.body.error.details).toMatchObject({ scope });
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  };

  beforeAll(async () => {
    app = await startTestApp({
      RATE_LIMIT_USER_PER_SECOND: String(USER_LIMIT),
      RATE_LIMIT_TENANT_PER_SECOND: String(TENANT_LIMIT),
      OPERATOR_USER_IDS: OPERATOR,
    });
  });
  afterAll(() => app.close());

  describe('when one user sends more than their limit', () => {
    it('refuses the excess with 429 RATE_LIMITED and Retry-After', async () => {
      expectOnlyServedOrLimited(await burst(USER_LIMIT * 4, validate('ursula')), 'user');
    });

    it('still serves another user', async () => {
      await burst(USER_LIMIT * 4, validate('ulrich'));
      expect((await validate('uma')()).status).toBe(200);
    });
  });

  describe('when a practice’s members together send more than its limit', () => {
    it('refuses the excess with 429 RATE_LIMITED, though no member exceeded their own', async () => {
      const members = { tom: 'staff', tess: 'staff' };
      const practice = await createPractice(app, 'tina', members);
      const everyone = ['tina', ...Object.keys(members)];
      const replies = await Promise.all(everyone.map((userId) => burst(TENANT_LIMIT + 2, list(userId, practice))));
      expectOnlyServedOrLimited(replies.flat(), 'tenant');
    });

    it('counts no request of a non-member, who cannot exhaust it', async () => {
      const practice = await createPractice(app, 'nina');
      const intruder = await burst(USER_LIMIT - 1, list('mallory', practice));
      expect(intruder.map((reply) => reply.status)).toEqual(intruder.map(() => 403));
      expect((await list('nina', practice)()).status).toBe(200);
    });
  });

  describe('when a refused request carries an Idempotency-Key', () => {
    it('stores no answer for it, so a retry runs', async () => {
      const practice = await createPractice(app, 'kim');
      const keys = Array.from({ length: TENANT_LIMIT * 4 }, (_, i) => `rate-limited-${i}`);
      const path = `/v1/practices/${practice}/reservations`;
      const create = (key: string) =>
        sendJson(app.baseUrl, 'POST', path, { ...app.as('kim'), 'idempotency-key': key }, stay());
      const replies = await Promise.all(keys.map(create));
      const refusedKeys = keys.filter((_, i) => replies[i].status === 429);
      expect(refusedKeys.length).toBeGreaterThan(0);
      const stored = await app.db.pool.query(`SELECT key FROM idempotency_keys WHERE key = ANY($1)`, [refusedKeys]);
      expect(stored.rows).toEqual([]);
    });

    it('claims no key for a caller the practice or the admin API refused', async () => {
      const practice = await createPractice(app, 'nora');
      const keyed = (key: string) => ({ ...app.as('nigel'), 'idempotency-key': key });
      const intruder = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations`, keyed('refused-member'), stay());
      const notOperator = await sendJson(app.baseUrl, 'POST', '/v1/admin/inbox/dead-letters/1/retry', keyed('refused-operator'), null);
      expect([intruder.status, notOperator.status]).toEqual([403, 403]);
      const stored = await app.db.pool.query(`SELECT key FROM idempotency_keys WHERE key LIKE 'refused-%'`);
      expect(stored.rows).toEqual([]);
    });
  });

  describe('operators’ and health routes', () => {
    it('are never limited', async () => {
      const projections = () => sendJson(app.baseUrl, 'GET', '/v1/admin/projections', app.as(OPERATOR));
      const admin = await burst(USER_LIMIT * 4, projections);
      const health = await burst(USER_LIMIT * 4, () => sendJson(app.baseUrl, 'GET', '/health', null));
      expect([...admin, ...health].filter((reply) => reply.status !== 200)).toEqual([]);
    });

    it('count a non-operator on the operators’ routes, who is refused past their limit as anywhere', async () => {
      const replies = await burst(USER_LIMIT * 4, () => sendJson(app.baseUrl, 'GET', '/v1/admin/projections', app.as('mona')));
      expect(refused(replies).length).toBeGreaterThan(0);
      expect(replies.filter((reply) => reply.status !== 403 && reply.status !== 429)).toEqual([]);
    });
  });
});
