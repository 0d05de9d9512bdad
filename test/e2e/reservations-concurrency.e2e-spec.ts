import { randomUUID } from 'node:crypto';
import { reservations as reservationAggregate } from '../../src/contexts/reservations/reservation.aggregate.js';
import { evolveReservationRow, type ReservationRow } from '../../src/contexts/reservations/infrastructure/reservation-list.projection.js';
import { EVENT_STORE } from '../../src/event-sourcing/nest/event-sourcing.tokens.js';
import type { EventStore } from '../../src/event-sourcing/store/event-store.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Reservations under parallel load: version races without If-Match, and safe retries with Idempotency-Key. */

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  /** The raw body: replays must match it byte for byte. */
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by the assertions
  readonly body: any;
}

const OWNER = 'olivia';
const STAFF = 'sam';

const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Timestamps as ISO strings, whether they come from PostgreSQL (Date) or from the fold (string). */
const comparable = (row: ReservationRow | null) =>
  row && { ...row, created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString() };

describe('Reservations under concurrency', () => {
  let app: TestApp;
  let practice: string;
  let secondPractice: string;

  const post = async (path: string, userId: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const { 'content-type': contentType, ...auth } = app.as(userId);
    const response = await fetch(`${app.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': contentType }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : null };
  };

  const reservations = (practiceId: string, rest = '') => `/v1/practices/${practiceId}/reservations${rest}`;
  const stay = { guestId: 'guest-17', guestName: 'Ada Lovelace', checkInDate: day(10), nights: 1 };
  const keyed = (key: string) => ({ 'idempotency-key': key });

  const book = async (practiceId = practice): Promise<string> => {
    const reply = await post(reservations(practiceId), OWNER, stay);
    expect(reply.status).toBe(201);
    return reply.body.reservationId as string;
  };

  const eventsOf = async (practiceId: string, id: string) =>
    reservationAggregate.eventsOf(await app.app.get<EventStore>(EVENT_STORE).readStream(reservationAggregate.streamOf(practiceId, id)));

  const createdCount = async (practiceId: string): Promise<number> =>
    (await app.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'reservation.created'`, [practiceId])).rows[0].n;

  /** The answers as a client compares them: status, body bytes, ETag and Location. */
  const answerOf = (reply: Reply) => ({
    status: reply.status,
    text: reply.text,
    etag: reply.headers.get('etag'),
    location: reply.headers.get('location'),
  });

  /** The command commits, then storing its answer under the key fails (the database going away). */
  const withAnswerLost = async <T>(key: string, send: () => Promise<T>): Promise<T> => {
    await app.db.pool.query(`
      CREATE FUNCTION refuse_answer() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the database is going away' USING ERRCODE = '57P03'; END $$;
      CREATE TRIGGER refuse_answer BEFORE UPDATE ON idempotency_keys FOR EACH ROW
        WHEN (NEW.key = '${key}' AND NEW.status_code IS NOT NULL) EXECUTE FUNCTION refuse_answer();`);
    try {
      return await send();
    } finally {
      await app.db.pool.query(`DROP TRIGGER refuse_answer ON idempotency_keys; DROP FUNCTION refuse_answer()`);
    }
  };

  beforeAll(async () => {
    app = await startTestApp();
    const created = await post('/v1/practices', OWNER, { name: 'Harbour' });
    practice = created.body.practiceId;
    expect((await post(`/v1/practices/${practice}/memberships`, OWNER, { userId: STAFF, role: 'staff' })).status).toBe(201);
    secondPractice = (await post('/v1/practices', OWNER, { name: 'Second' })).body.practiceId;
  });
  afterAll(() => app.close());

  describe('parallel commands on many reservations (group commit)', () => {
    it('answers each as alone, while commands waiting for a statement share the next one', async () => {
      const creates = await Promise.all(range(12).map((i) => post(reservations(practice), i % 2 ? STAFF : OWNER, { ...stay, nights: i + 1 })));
      expect(creates.map((r) => r.status)).toEqual(range(12).map(() => 201));
      const ids = creates.map((r) => r.body.reservationId as string);

      const later = await Promise.all(
        ids.map((id, i) => (i % 3 === 2 ? post(reservations(practice, `/${id}/cancel`), STAFF, { reason: 'plans changed' }) : post(reservations(practice, `/${id}/confirm`), STAFF))),
      );
      expect(later.map((r) => r.status)).toEqual(range(12).map(() => 200));
      expect(later.map((r) => r.body.status)).toEqual(range(12).map((i) => (i % 3 === 2 ? 'cancelled' : 'confirmed')));
      expect(later.map((r) => r.body.version)).toEqual(range(12).map(() => 2));

      for (const id of ids) {
        const events = await eventsOf(practice, id);
        const { rows } = await app.db.pool.query<ReservationRow>(`SELECT * FROM reservations WHERE practice_id = $1 AND reservation_id = $2`, [practice, id]);
        expect(comparable(rows[0])).toEqual(comparable(events.reduce<ReservationRow | null>(evolveReservationRow, null)));
      }
      // Some transaction committed commands of several reservations.
      const { rows } = await app.db.pool.query<{ streams: number }>(
        `SELECT count(DISTINCT aggregate_id)::int AS streams FROM events WHERE tenant_id = $1 AND aggregate_id = ANY($2) GROUP BY transaction_id ORDER BY 1 DESC LIMIT 1`,
        [practice, ids],
      );
      expect(rows[0].streams).toBeGreaterThan(1);
    });
  });

  describe('20 parallel changes without If-Match', () => {
    it('all land, one version each from 2 to 21, and the read model equals the fold of the stored events', async () => {
      const id = await book();
      // Every command asks for a different number of nights, so each one decides a change.
      const asked = range(20).map((i) => ({ checkInDate: day(10 + (i % 4)), nights: i + 2 }));

      const replies = await Promise.all(asked.map((body, i) => post(reservations(practice, `/${id}/change`), i % 2 ? STAFF : OWNER, body)));

      expect(replies.map((r) => r.status)).toEqual(range(20).map(() => 200));
      expect(replies.map((r) => r.body.version).sort((a, b) => a - b)).toEqual(range(20).map((i) => i + 2));
      expect(replies.map((r) => r.headers.get('etag'))).toEqual(replies.map((r) => `"${r.body.version}"`));

      const events = await eventsOf(practice, id);
      expect(events.map((e) => e.version)).toEqual(range(21).map((i) => i + 1));
      expect(events.slice(1).every((e) => e.type === 'reservation.changed')).toBe(true);
      // The event at each version is the change whose answer named that version.
      replies.forEach((reply, i) => expect(events[reply.body.version - 1].data).toMatchObject(asked[i]));

      const { rows } = await app.db.pool.query<ReservationRow>(`SELECT * FROM reservations WHERE practice_id = $1 AND reservation_id = $2`, [practice, id]);
      const folded = events.reduce<ReservationRow | null>(evolveReservationRow, null);
      expect(comparable(rows[0])).toEqual(comparable(folded));
      expect(rows[0]).toMatchObject({ version: 21, ...(folded && { check_in_date: folded.check_in_date, nights: folded.nights }) });
    });
  });

  describe('the same Idempotency-Key sent 5 times at once', () => {
    it('creates one reservation and answers all five alike', async () => {
      const before = await createdCount(practice);

      const replies = await Promise.all(range(5).map(() => post(reservations(practice), STAFF, stay, keyed('create-once'))));

      expect(replies[0].status).toBe(201);
      expect(replies.map(answerOf)).toEqual(range(5).map(() => answerOf(replies[0])));
      expect(await createdCount(practice)).toBe(before + 1);
      expect(await eventsOf(practice, replies[0].body.reservationId)).toHaveLength(1);
      expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    });

    it.each([
      ['confirm', undefined, 'confirmed'],
      ['cancel', { reason: 'storm' }, 'cancelled'],
      ['change', { checkInDate: day(11), nights: 2 }, 'pending'],
    ])('appends one event for %s and answers all five alike', async (command, body, status) => {
      const id = await book();
      const key = `${command}-${id}`;

      const replies = await Promise.all(range(5).map(() => post(reservations(practice, `/${id}/${command}`), STAFF, body, keyed(key))));

      expect(replies.map(answerOf)).toEqual(range(5).map(() => ({ status: 200, text: JSON.stringify({ reservationId: id, status, version: 2 }), etag: '"2"', location: null })));
      expect(await eventsOf(practice, id)).toHaveLength(2);
    });
  });

  describe('a retried request with the same Idempotency-Key', () => {
    it('gets the same refusal again, even after the reservation moved on, and appends nothing', async () => {
      const id = await book();
      const checkIn = () => post(reservations(practice, `/${id}/check-in`), STAFF, undefined, keyed(`check-in-${id}`));

      const first = await checkIn();
      expect((await post(reservations(practice, `/${id}/confirm`), STAFF)).status).toBe(200);
      const retry = await checkIn();

      expect(first.status).toBe(409);
      expect(first.body.error.code).toBe('RESERVATION_NOT_READY');
      expect(answerOf(retry)).toEqual(answerOf(first));
      expect((await eventsOf(practice, id)).map((e) => e.type)).toEqual(['reservation.created', 'reservation.confirmed']);
    });

    it('answers as the first time when the first answer was lost after its events were stored, and appends nothing', async () => {
      const id = await book();
      const confirm = () => post(reservations(practice, `/${id}/confirm`), STAFF, undefined, keyed(`lost-${id}`));
      const first = await confirm();
      expect(first.status).toBe(200);
      // As after a server error once the commit was done (a connection lost on its answer): the
      // key is released, so the retry runs again, under the same command id.
      const release = `UPDATE idempotency_keys SET attempted_at = NULL, status_code = NULL, headers = NULL, body = NULL, completed_at = NULL WHERE key = $1`;
      expect((await app.db.pool.query(release, [`lost-${id}`])).rowCount).toBe(1);

      const retry = await confirm();

      expect(answerOf(retry)).toEqual(answerOf(first));
      expect(retry.body).toEqual({ reservationId: id, status: 'confirmed', version: 2 });
      expect((await eventsOf(practice, id)).map((e) => e.type)).toEqual(['reservation.created', 'reservation.confirmed']);
    });

    it('answers a create as the first time when its answer was lost, and creates one reservation', async () => {
      const key = `lost-create-${randomUUID()}`;
      const create = () => post(reservations(practice), STAFF, stay, keyed(key));
      const first = await create();
      expect(first.status).toBe(201);
      const release = `UPDATE idempotency_keys SET attempted_at = NULL, status_code = NULL, headers = NULL, body = NULL, completed_at = NULL WHERE key = $1`;
      expect((await app.db.pool.query(release, [key])).rowCount).toBe(1);

      const retry = await create();

      expect(answerOf(retry)).toEqual(answerOf(first));
    });

    it('answers a server error, not the success, when the answer cannot be stored; the retry gets the success', async () => {
      const key = `unstorable-${randomUUID()}`;
      const create = () => post(reservations(practice), STAFF, stay, keyed(key));

      const first = await withAnswerLost(key, create);

      expect(first.status).toBe(503);
      expect(first.body.error.code).toBe('DATABASE_UNAVAILABLE');
      expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(first.headers.get('etag')).toBeNull();
      expect(first.headers.get('location')).toBeNull();
      const retry = await create();
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(answerOf(await create())).toEqual(answerOf(retry));
      const created = await app.db.pool.query(`SELECT count(*)::int AS n FROM reservations WHERE practice_id = $1 AND reservation_id = $2`, [
        practice,
        retry.body.reservationId,
      ]);
      expect(created.rows[0].n).toBe(1);
    });

    it('refuses a different body under the key of a change whose answer was lost, and still answers its retry', async () => {
      const id = await book();
      const key = `lost-change-${id}`;
      const change = (nights: number) => post(reservations(practice, `/${id}/change`), STAFF, { checkInDate: day(12), nights }, keyed(key));
      expect((await withAnswerLost(key, () => change(2))).status).toBe(503); // stored, and the client does not know

      const otherBody = await change(5);
      const retry = await change(2);

      expect({ status: otherBody.status, code: otherBody.body.error?.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect({ status: retry.status, body: retry.body }).toEqual({ status: 200, body: { reservationId: id, status: 'pending', version: 2 } });
      const events = await eventsOf(practice, id);
      expect(events.map((e) => e.type)).toEqual(['reservation.created', 'reservation.changed']);
      expect(events[1].data).toMatchObject({ nights: 2 });
    });

    it('refuses another route under the key of a confirm whose answer was lost, and still answers its retry', async () => {
      const id = await book();
      const key = `lost-confirm-${id}`;
      const confirm = () => post(reservations(practice, `/${id}/confirm`), STAFF, undefined, keyed(key));
      expect((await withAnswerLost(key, confirm)).status).toBe(503);

      const cancel = await post(reservations(practice, `/${id}/cancel`), STAFF, { reason: 'storm' }, keyed(key));
      const retry = await confirm();

      expect({ status: cancel.status, code: cancel.body.error?.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect({ status: retry.status, body: retry.body }).toEqual({ status: 200, body: { reservationId: id, status: 'confirmed', version: 2 } });
      expect((await eventsOf(practice, id)).map((e) => e.type)).toEqual(['reservation.created', 'reservation.confirmed']);
    });

    it('refuses a different body under the key of a create that failed and stored nothing, and creates nothing', async () => {
      const key = `failed-create-${randomUUID()}`;
      // The append fails on our side (the database going away): 503, nothing stored, the key released.
      await app.db.pool.query(`
        CREATE FUNCTION refuse_append() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the database is going away' USING ERRCODE = '57P03'; END $$;
        CREATE TRIGGER refuse_append BEFORE INSERT ON events FOR EACH ROW
          WHEN (NEW.tenant_id = '${practice}' AND NEW.data->>'guestId' = '${key}') EXECUTE FUNCTION refuse_append();`);
      try {
        expect((await post(reservations(practice), STAFF, { ...stay, guestId: key }, keyed(key))).status).toBe(503);
      } finally {
        await app.db.pool.query(`DROP TRIGGER refuse_append ON events; DROP FUNCTION refuse_append()`);
      }
      const before = await createdCount(practice);

      const other = await post(reservations(practice), STAFF, { ...stay, guestId: `${key}-other` }, keyed(key));

      expect({ status: other.status, code: other.body.error?.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await createdCount(practice)).toBe(before);
    });

    it('is ignored on a read (GET, HEAD): no key is claimed, and a command may use it after', async () => {
      const key = `read-${randomUUID()}`;
      const { authorization } = app.as(STAFF);
      for (const method of ['GET', 'HEAD']) {
        const read = await fetch(`${app.baseUrl}${reservations(practice)}`, { method, headers: { authorization, ...keyed(key) } });
        expect(read.status).toBe(200);
      }
      expect((await app.db.pool.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).rowCount).toBe(0);
      expect((await post(reservations(practice), STAFF, stay, keyed(key))).status).toBe(201);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED to a different body or route, and writes nothing', async () => {
      const id = await book();
      const key = `reuse-${id}`;
      expect((await post(reservations(practice, `/${id}/change`), STAFF, { checkInDate: day(12), nights: 2 }, keyed(key))).status).toBe(200);

      const otherBody = await post(reservations(practice, `/${id}/change`), STAFF, { checkInDate: day(12), nights: 5 }, keyed(key));
      const otherRoute = await post(reservations(practice, `/${id}/cancel`), STAFF, { reason: 'storm' }, keyed(key));

      for (const reply of [otherBody, otherRoute]) {
        expect(reply.status).toBe(422);
        expect(reply.body).toEqual({ error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String), details: {} } });
      }
      expect((await eventsOf(practice, id)).map((e) => e.type)).toEqual(['reservation.created', 'reservation.changed']);
    });

    it.each([
      ['x-correlation-id', 'has spaces', 'checkout-42', 'INVALID_HEADER'],
      ['if-match', 'version one', '"1"', 'INVALID_IF_MATCH'],
    ])('runs the retry whose %s was corrected: a refusal of a malformed header is not stored', async (header, bad, good, code) => {
      const id = await book();
      const confirm = (value: string) => post(reservations(practice, `/${id}/confirm`), STAFF, undefined, { ...keyed(`header-${id}`), [header]: value });

      const refused = await confirm(bad);
      const corrected = await confirm(good);

      expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 400, code });
      expect({ status: corrected.status, body: corrected.body }).toEqual({ status: 200, body: { reservationId: id, status: 'confirmed', version: 2 } });
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED to a retry with another If-Match, and replays one with the same', async () => {
      const id = await book();
      const confirm = (ifMatch: string) => post(reservations(practice, `/${id}/confirm`), STAFF, undefined, { ...keyed(`if-match-${id}`), 'if-match': ifMatch });

      const stale = await confirm('"5"');
      const again = await confirm('W/"5"'); // the same expectation, written otherwise
      const other = await confirm('"1"');

      expect({ status: stale.status, code: stale.body.error.code }).toEqual({ status: 409, code: 'CONCURRENCY_CONFLICT' });
      expect(answerOf(again)).toEqual(answerOf(stale));
      expect({ status: other.status, code: other.body.error.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect((await eventsOf(practice, id)).map((e) => e.type)).toEqual(['reservation.created']);
    });

    it('is independent for another user of the same practice', async () => {
      const [mine, theirs] = await Promise.all([OWNER, STAFF].map((user) => post(reservations(practice), user, stay, keyed('shared-key'))));

      expect([mine.status, theirs.status]).toEqual([201, 201]);
      expect(mine.body.reservationId).not.toBe(theirs.body.reservationId);
    });

    it('is independent in another practice of the same user', async () => {
      const [here, there] = await Promise.all([practice, secondPractice].map((p) => post(reservations(p), OWNER, stay, keyed('per-practice'))));

      expect([here.status, there.status]).toEqual([201, 201]);
      expect(await eventsOf(practice, here.body.reservationId)).toHaveLength(1);
      expect(await eventsOf(secondPractice, there.body.reservationId)).toHaveLength(1);
      expect(await eventsOf(secondPractice, here.body.reservationId)).toHaveLength(0);
    });

    it.each([
      ['an empty key', ''],
      ['a key with a space', 'with space'],
      ['a key of 256 characters', 'x'.repeat(256)],
      ['a key with a letter outside ASCII', 'naïve'],
    ])('answers 400 INVALID_IDEMPOTENCY_KEY to %s and writes nothing', async (_, key) => {
      const before = await createdCount(practice);

      const reply = await post(reservations(practice), STAFF, stay, keyed(key));

      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('INVALID_IDEMPOTENCY_KEY');
      expect(await createdCount(practice)).toBe(before);
    });
  });
});
