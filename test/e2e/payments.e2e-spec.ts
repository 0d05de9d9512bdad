import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../../src/app.factory.js';
import { DEVELOPMENT_PAYMENT_WEBHOOK_SECRET, validateEnvironment } from '../../src/config/environment.js';
import { signatureHeaderFor } from '../../src/contexts/payments/presentation/provider-signature.js';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { postProviderCallback, type Signing } from '../support/payment-provider.js';
import { handedOver, requestPayment } from '../support/payments.js';
import { createPractice } from '../support/practices.js';
import { createTestDatabase } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Payments over real HTTP, with the in-process worker handing requested payments to the fake
 * provider (answering after 30 ms). Requesting is the deposit saga's job, not a route, so a
 * payment is requested here through the app's own command path, as the saga would.
 */

const OWNER = 'olga';
const STAFF = 'stan';
const VIEWER = 'viv';
const STRANGER = 'nils';
const OTHER_OWNER = 'otto';
const DELAY_MS = 30;

describe('Payments over HTTP', () => {
  let app: TestApp;
  let practice: string;
  let otherPractice: string;

  const call = (method: string, path: string, userId: string, body?: unknown): Promise<Reply> =>
    sendJson(app.baseUrl, method, path, app.as(userId), body);
  const path = (paymentId: string, rest = '', practiceId = practice) =>
    `/v1/practices/${practiceId}/payments/${paymentId}${rest}`;
  const get = (paymentId: string, userId = VIEWER, practiceId = practice) =>
    call('GET', path(paymentId, '', practiceId), userId);
  /** The provider's signed answer about `paymentId` (of this practice unless `practiceId` says otherwise). */
  const callback = (paymentId: string, answer: object, signing?: Signing, practiceId = practice) =>
    postProviderCallback(app.baseUrl, { practiceId, paymentId, ...answer }, signing);
  const request = (amount: number, practiceId = practice) => requestPayment(app.app, practiceId, amount);

  /**
   * Polls the payment until it leaves `requested`, for up to 10 s. The fake answers after 30 ms,
   * but the worker reads the log only up to the oldest transaction open anywhere on the server
   * (gap-free reading), in any database: in CI another test file's transaction held a capture
   * back past a second. How fast a NOTIFY wakes the worker is projection-worker.int-spec's to test.
   */
  const settled = async (paymentId: string): Promise<Reply> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const reply = await get(paymentId);
      if (reply.body?.status !== 'requested' || Date.now() > deadline) return reply;
      await sleep(10);
    }
  };

  beforeAll(async () => {
    app = await startTestApp({ FAKE_PROVIDER_DELAY_MS: String(DELAY_MS) });
    practice = await createPractice(app, OWNER, { [STAFF]: 'staff', [VIEWER]: 'viewer' });
    otherPractice = await createPractice(app, OTHER_OWNER, {}, 'Other Dental');
  });

  afterAll(() => app?.close());

  describe('the fake provider', () => {
    it('captures 5000 cents once the provider answers; the read model shows it', async () => {
      const paymentId = await request(5000);

      const reply = await settled(paymentId);

      expect(reply.status).toBe(200);
      expect(reply.etag).toBe('"2"');
      expect(reply.body).toEqual({
        paymentId,
        practiceId: practice,
        reservationId: expect.any(String),
        status: 'captured',
        amount: 5000,
        currency: 'EUR',
        providerReference: `fake_${paymentId}`,
        reason: null,
        capturedLate: false,
        refundReference: null,
        refundDeclinedReason: null,
        version: 2,
        requestedAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('declines 1013 cents', async () => {
      const reply = await settled(await request(1013));
      expect(reply.body).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('declined'),
        providerReference: null,
        version: 2,
      });
    });

    it('never answers 1042 cents: the payment stays requested', async () => {
      const paymentId = await request(1042);
      await handedOver(app.db.pool);
      await sleep(DELAY_MS * 5);

      expect((await get(paymentId)).body).toMatchObject({ status: 'requested', amount: 1042, version: 1 });
    });
  });

  describe("the provider's webhook", () => {
    it('records a capture; the same callback again is a no-op 200; another answer is 409', async () => {
      const paymentId = await request(2042);
      const captured = { outcome: 'captured', providerReference: 'ch_manual_1' };
      const CAPTURED_ROW = { status: 'captured', providerReference: 'ch_manual_1', version: 2 };

      const first = await callback(paymentId, captured);
      expect({ status: first.status, etag: first.etag, body: first.body }).toEqual({
        status: 200,
        etag: '"2"',
        body: { paymentId, status: 'captured', version: 2 },
      });
      expect((await get(paymentId)).body).toMatchObject(CAPTURED_ROW);

      const again = await callback(paymentId, captured);
      expect({ status: again.status, body: again.body }).toEqual({
        status: 200,
        body: { paymentId, status: 'captured', version: 2 },
      });

      const other = { outcome: 'captured', providerReference: 'ch_other' };
      expectError(await callback(paymentId, other), 409, 'PAYMENT_NOT_PENDING');
      expectError(await callback(paymentId, { outcome: 'failed', reason: 'late decline' }), 409, 'PAYMENT_NOT_PENDING');
      expect((await get(paymentId)).body).toMatchObject(CAPTURED_ROW);
    });

    it('records a failure with its reason, as the payment provider', async () => {
      const paymentId = await request(3042);
      const reply = await callback(paymentId, { outcome: 'failed', reason: 'insufficient funds' });
      expect(reply.body).toEqual({ paymentId, status: 'failed', version: 2 });
      expect((await get(paymentId)).body).toMatchObject({ status: 'failed', reason: 'insufficient funds' });
      const { rows } = await app.db.pool.query<{ actor: unknown; tenant_id: string }>(
        `SELECT metadata->'actor' AS actor, tenant_id FROM events WHERE aggregate_type = 'payment' AND aggregate_id = $1 AND type = 'payment.failed'`,
        [paymentId],
      );
      expect(rows).toEqual([{ actor: { type: 'system', id: 'payment-provider' }, tenant_id: practice }]);
    });

    it.each([
      ['no outcome', {}],
      ['an unknown outcome', { outcome: 'refunded' }],
      ['a capture without its reference', { outcome: 'captured' }],
      ['a failure without its reason', { outcome: 'failed' }],
      ['an empty reference', { outcome: 'captured', providerReference: '' }],
      ['an unknown field', { outcome: 'failed', reason: 'x', amount: 5 }],
    ])('refuses %s, signed, (400 VALIDATION_FAILED) and writes nothing', async (_, body) => {
      const paymentId = await request(4042);
      expectError(await callback(paymentId, body), 400, 'VALIDATION_FAILED');
      expect((await get(paymentId)).body).toMatchObject({ status: 'requested', version: 1 });
    });

    it('refuses a signed answer that names no practice, or no payment id a sender would choose (400)', async () => {
      const failed = { outcome: 'failed', reason: 'x' };
      expectError(await postProviderCallback(app.baseUrl, { paymentId: 'p-1', ...failed }), 400, 'VALIDATION_FAILED');
      expectError(await postProviderCallback(app.baseUrl, { practiceId: 'not-a-uuid', paymentId: 'p-1', ...failed }), 400, 'VALIDATION_FAILED');
      expectError(await callback('-dash-first', failed), 400, 'VALIDATION_FAILED');
    });

    it('answers 404 PAYMENT_NOT_FOUND for a payment never requested', async () => {
      const captured = { outcome: 'captured', providerReference: 'ch_1' };
      expectError(await callback('no-such-payment', captured), 404, 'PAYMENT_NOT_FOUND');
      expectError(await get('no-such-payment'), 404, 'PAYMENT_NOT_FOUND');
    });

    it('answers 400 INVALID_PAYMENT_ID to an id no sender would choose on the read route', async () => {
      expectError(await get('bad%20id'), 400, 'INVALID_PAYMENT_ID');
    });

    it('takes the practice from the signed body: the payment of another practice is not there (404)', async () => {
      const paymentId = await request(6142);
      const captured = { outcome: 'captured', providerReference: 'ch_x' };
      expectError(await callback(paymentId, captured, {}, otherPractice), 404, 'PAYMENT_NOT_FOUND');
      expect((await get(paymentId)).body).toMatchObject({ status: 'requested', version: 1 });
    });
  });

  describe('an answer not signed by the provider', () => {
    const captured = { outcome: 'captured', providerReference: 'ch_made_up' };
    const now = () => Math.floor(Date.now() / 1000);

    it.each<[string, Signing]>([
      ['no signature', { header: null }],
      ['a signature under another secret', { secret: 'not-the-provider-secret-at-all-0000' }],
      ['a replay: signed 6 minutes ago', { at: now() - 360 }],
      ['a signature from 6 minutes ahead', { at: now() + 360 }],
      ['a malformed signature', { header: 'sha256=abc' }],
    ])('is refused with %s: 401 INVALID_SIGNATURE, nothing written', async (_label, signing) => {
      const paymentId = await request(7142);

      expectError(await callback(paymentId, captured, signing), 401, 'INVALID_SIGNATURE');

      expect((await get(paymentId)).body).toMatchObject({ status: 'requested', version: 1 });
    });

    it('is refused when the signed body was changed on the way (another reference): 401, nothing written', async () => {
      const paymentId = await request(7242);
      const signed = JSON.stringify({ practiceId: practice, paymentId, ...captured });
      const header = signatureHeaderFor(DEVELOPMENT_PAYMENT_WEBHOOK_SECRET, signed);

      const tampered = await callback(paymentId, { ...captured, providerReference: 'ch_tampered' }, { header });

      expectError(tampered, 401, 'INVALID_SIGNATURE');
      expect((await get(paymentId)).body).toMatchObject({ status: 'requested', version: 1 });
    });
  });

  describe('a practice member', () => {
    it('cannot record a capture no provider made, not even the owner: no member route takes one', async () => {
      const paymentId = await request(8042);
      const forged = { outcome: 'captured', providerReference: 'ch_made_up' };

      for (const member of [STAFF, OWNER]) {
        expect((await call('POST', path(paymentId, '/callback'), member, forged)).status).toBe(404);
        // A member's token is no signature.
        const headers = { authorization: `Bearer ${app.tokenFor(member)}` };
        expectError(await callback(paymentId, forged, { header: null, headers }), 401, 'INVALID_SIGNATURE');
      }

      expect((await get(paymentId)).body).toMatchObject({ status: 'requested', version: 1 });
    });
  });

  describe('another practice', () => {
    it('sees nothing of a payment', async () => {
      const paymentId = await request(6042);

      expectError(await get(paymentId, STRANGER), 403, 'NOT_A_MEMBER');
      expectError(await get(paymentId, OTHER_OWNER), 403, 'NOT_A_MEMBER');
      // Its own practice's URL with the guessed id: the payment is not there.
      expectError(await get(paymentId, OTHER_OWNER, otherPractice), 404, 'PAYMENT_NOT_FOUND');

      expect((await get(paymentId)).body).toMatchObject({ status: 'requested', version: 1 });
    });
  });
});

describe('A provider answer that meets a passing database fault', () => {
  const written: string[] = [];
  let app: TestApp;
  let practice: string;

  /**
   * Holds the payment's read-model row (an operator's query, a rebuild) until `meanwhile` is
   * done: every write of the payment waits for it, and is cancelled after the statement timeout.
   */
  const whileRowHeld = async (paymentId: string, meanwhile: () => Promise<void>): Promise<void> => {
    const client = await app.db.pool.connect();
    try {
      await client.query('BEGIN');
      const row = `SELECT 1 FROM payments WHERE practice_id = $1 AND payment_id = $2 FOR UPDATE`;
      await client.query(row, [practice, paymentId]);
      await meanwhile();
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  };
  const logged = async (pattern: RegExp): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!pattern.test(written.join(''))) {
      if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} in:\n${written.join('')}`);
      await sleep(25);
    }
  };
  const get = async (paymentId: string) =>
    (await sendJson(app.baseUrl, 'GET', `/v1/practices/${practice}/payments/${paymentId}`, app.as(VIEWER))).body;

  beforeAll(async () => {
    // The fake answers a second after the charge: the test holds the row well before that.
    app = await startTestApp(
      { FAKE_PROVIDER_DELAY_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '500', LOG_LEVEL: 'warn' },
      { logs: { destination: { write: (chunk: string) => void written.push(chunk) } } },
    );
    practice = await createPractice(app, OWNER, { [STAFF]: 'staff', [VIEWER]: 'viewer' });
  });
  afterAll(() => app?.close());

  it('from the fake provider is delivered again once the fault has passed, not dropped', async () => {
    const paymentId = await requestPayment(app.app, practice, 5000);

    // Until its delivery has met the fault: cancelled behind the lock.
    const metTheFault = new RegExp(`captured of payment ${paymentId} not recorded.*statement timeout`);
    await whileRowHeld(paymentId, () => logged(metTheFault));

    const deadline = Date.now() + 10_000;
    while ((await get(paymentId))?.status === 'requested' && Date.now() < deadline) await sleep(50);
    const captured = { status: 'captured', providerReference: `fake_${paymentId}`, version: 2 };
    expect(await get(paymentId)).toMatchObject(captured);
  });

  it("over the provider's webhook is answered 503 with Retry-After, so the provider delivers it again", async () => {
    const paymentId = await requestPayment(app.app, practice, 7042); // never answered by the fake
    const captured = { practiceId: practice, paymentId, outcome: 'captured', providerReference: 'ch_after_fault' };
    const callback = () => postProviderCallback(app.baseUrl, captured);

    await whileRowHeld(paymentId, async () => {
      const reply = await callback();
      expectError(reply, 503, 'DATABASE_TIMEOUT');
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    expect((await callback()).body).toEqual({ paymentId, status: 'captured', version: 2 });
  });
});

describe('A payment requested while no worker runs', () => {
  it('is charged once a worker starts: the request outlives the process that made it', async () => {
    const db = await createTestDatabase();
    const env = (role: string) =>
      validateEnvironment({
        DATABASE_URL: db.url,
        PORT: '0',
        LOG_LEVEL: 'error',
        ROLE: role,
        FAKE_PROVIDER_DELAY_MS: String(DELAY_MS),
      });
    try {
      const web = await createApp(env('web'), { docsUi: false });
      await web.init();
      const paymentId = await requestPayment(web, 'practice-restart', 5000);
      await sleep(DELAY_MS * 5);
      await web.close();
      const status = async () => {
        const sql = `SELECT status FROM payments WHERE payment_id = $1`;
        const { rows } = await db.pool.query<{ status: string }>(sql, [paymentId]);
        return rows[0]?.status;
      };
      expect(await status()).toBe('requested');

      const worker = await createApp(env('worker'), { docsUi: false });
      await worker.init();
      try {
        const deadline = Date.now() + 20_000;
        while ((await status()) === 'requested' && Date.now() < deadline) await sleep(20);
        expect(await status()).toBe('captured');
      } finally {
        await worker.close();
      }
    } finally {
      await db.drop();
    }
  });
});
