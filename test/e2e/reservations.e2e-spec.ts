import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createPractice } from '../support/practices.js';

/**
 * Reservations over real HTTP: every route and every error, read-your-writes after each
 * 2xx, temporal reads, ETags and If-Match, and who may do what. (Longer than most specs:
 * it is the one journey file for the whole reservations API.)
 */


interface Call {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

type Command = 'confirm' | 'check-in' | 'complete' | 'change' | 'cancel';

const OWNER = 'olivia';
const STAFF = 'sam';
const VIEWER = 'vera';
const STRANGER = 'nina';
const OTHER_OWNER = 'mallory';

/** A calendar day `n` days from today (UTC), as the server's clock sees it. */
const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

const bodyOf: Record<Command, () => unknown> = {
  confirm: () => undefined,
  'check-in': () => undefined,
  complete: () => undefined,
  change: () => ({ checkInDate: day(40), nights: 6 }),
  cancel: () => ({ reason: 'guest request' }),
};

describe('Reservations over HTTP', () => {
  let app: TestApp;
  let practice: string;
  let otherPractice: string;

  const call = (method: string, path: string, userId: string, { body, headers = {} }: Call = {}): Promise<Reply> =>
    sendJson(app.baseUrl, method, path, { ...app.as(userId), ...headers }, body);

  const reservations = (practiceId: string, rest = '') => `/v1/practices/${practiceId}/reservations${rest}`;

  const create = (userId: string, body: Record<string, unknown> = {}, practiceId = practice, headers: Record<string, string> = {}) =>
    call('POST', reservations(practiceId), userId, {
      body: { guestId: 'guest-17', guestName: 'Ada Lovelace', checkInDate: day(10), nights: 3, ...body },
      headers,
    });

  /** A new reservation, created by the owner; returns its id. */
  const book = async (body: Record<string, unknown> = {}, practiceId = practice, userId = OWNER): Promise<string> => {
    const reply = await create(userId, body, practiceId);
    expect(reply.status).toBe(201);
    return reply.body.reservationId as string;
  };

  const send = (command: Command, id: string, userId: string, { body = bodyOf[command](), headers }: Call = {}, practiceId = practice) =>
    call('POST', reservations(practiceId, `/${id}/${command}`), userId, { body, headers });

  const read = (id: string, userId = OWNER, query = '', practiceId = practice) => call('GET', reservations(practiceId, `/${id}${query}`), userId);

  /** The stream as stored: what "nothing was written" is checked against. */
  const storedEvents = async (practiceId: string, id: string): Promise<{ version: number; type: string }[]> =>
    (
      await app.db.pool.query(
        `SELECT version, type FROM events WHERE tenant_id = $1 AND aggregate_type = 'reservation' AND aggregate_id = $2 ORDER BY version`,
        [practiceId, id],
      )
    ).rows;

  const newPractice = (owner: string, members: Record<string, string> = {}) => createPractice(app, owner, members);

  beforeAll(async () => {
    app = await startTestApp();
    practice = await newPractice(OWNER, { [STAFF]: 'staff', [VIEWER]: 'viewer' });
    otherPractice = await newPractice(OTHER_OWNER);
  });
  afterAll(() => app.close());

  describe('creating a reservation', () => {
    it('refuses a chosen reservationId in capitals with 400 (the same UUID would be another reservation)', async () => {
      const id = randomUUID();
      await book({ reservationId: id });

      const twin = await create(STAFF, { reservationId: id.toUpperCase() });

      expectError(twin, 400, 'VALIDATION_FAILED');
      expect(twin.body.error.details.violations.map((v: { field: string }) => v.field)).toEqual(['reservationId']);
      expect(await storedEvents(practice, id.toUpperCase())).toHaveLength(0);
    });

    it('answers 201 with id, status and version, ETag and Location, and the read model shows it at once', async () => {
      const reply = await create(STAFF, { checkInDate: day(10), nights: 3 });

      expect(reply.status).toBe(201);
      const id = reply.body.reservationId;
      expect(reply.body).toEqual({ reservationId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending', version: 1 });
      expect(reply.etag).toBe('"1"');
      expect(reply.headers.get('location')).toBe(reservations(practice, `/${id}`));
      const view = await read(id, VIEWER);
      expect(view.status).toBe(200);
      expect(view.etag).toBe('"1"');
      expect(view.body).toEqual({
        reservationId: id,
        practiceId: practice,
        guestId: 'guest-17',
        guestName: 'Ada Lovelace',
        status: 'pending',
        checkInDate: day(10),
        checkOutDate: day(13),
        nights: 3,
        cancelReason: null,
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(view.body.createdAt).toBe(view.body.updatedAt);
    });

    it('keeps the id the caller chose, and refuses a second creation with it (409 RESERVATION_ALREADY_EXISTS)', async () => {
      const id = randomUUID();
      expect((await create(OWNER, { reservationId: id, guestName: 'First' })).body).toEqual({ reservationId: id, status: 'pending', version: 1 });

      expectError(await create(STAFF, { reservationId: id, guestName: 'Second' }), 409, 'RESERVATION_ALREADY_EXISTS');
      expect((await read(id)).body).toMatchObject({ guestName: 'First', version: 1 });
      expect(await storedEvents(practice, id)).toHaveLength(1);
    });

    it.each([
      ['today', day(0), 1],
      ['365 nights', day(1), 365],
    ])('accepts check-in %s', async (_, checkInDate, nights) => {
      const id = await book({ checkInDate, nights });
      expect((await read(id)).body).toMatchObject({ checkInDate, nights });
    });

    it.each([
      ['0 nights', { nights: 0 }, 'INVALID_NIGHTS'],
      ['366 nights', { nights: 366 }, 'INVALID_NIGHTS'],
      ['check-in yesterday', { checkInDate: day(-1) }, 'CHECK_IN_DATE_IN_PAST'],
      ['a day not in the calendar', { checkInDate: '2031-02-30' }, 'INVALID_CHECK_IN_DATE'],
    ])('refuses %s with 422, writes nothing and names no Location', async (_, body, code) => {
      const id = randomUUID();

      const reply = await create(STAFF, { ...body, reservationId: id });

      expectError(reply, 422, code);
      expect(reply.headers.get('location')).toBeNull();
      expect(await storedEvents(practice, id)).toEqual([]);
      expectError(await read(id), 404, 'RESERVATION_NOT_FOUND');
    });

    it.each([
      ['without a guest name', { guestName: undefined }],
      ['with nights as text', { nights: '3' }],
      ['with fractional nights', { nights: 1.5 }],
      ['with a date in another format', { checkInDate: '10/03/2031' }],
      ['with an unknown field', { discount: 50 }],
      ['with an id that is not a UUID', { reservationId: 'mine' }],
    ])('answers 400 VALIDATION_FAILED to a request %s', async (_, body) => {
      expectError(await create(STAFF, body), 400, 'VALIDATION_FAILED');
    });
  });

  describe('a command that takes no fields', () => {
    it.each(['confirm', 'check-in', 'complete'] as const)('refuses %s with an unknown field and writes nothing', async (command) => {
      const id = await book();
      const reply = await send(command, id, STAFF, { body: { foo: 1 } });
      expectError(reply, 400, 'VALIDATION_FAILED');
      expect(await storedEvents(practice, id)).toHaveLength(1);
    });
  });

  describe('a reservation through its lifecycle', () => {
    it('is confirmed, changed, checked in and completed; each answer carries the version, and the read model follows', async () => {
      const id = await book({ checkInDate: day(0), nights: 2 });
      const steps: [Command, unknown, string, number][] = [
        ['confirm', undefined, 'confirmed', 2],
        ['change', { checkInDate: day(0), nights: 4 }, 'confirmed', 3],
        ['check-in', undefined, 'checked_in', 4],
        ['complete', undefined, 'completed', 5],
      ];
      for (const [command, body, status, version] of steps) {
        const reply = await send(command, id, STAFF, { body });

        expect({ command, status: reply.status, body: reply.body, etag: reply.etag }).toEqual({
          command,
          status: 200,
          body: { reservationId: id, status, version },
          etag: `"${version}"`,
        });
        const view = await read(id, VIEWER);
        expect({ command, status: view.body.status, version: view.body.version, etag: view.etag }).toEqual({ command, status, version, etag: `"${version}"` });
      }
      expect((await read(id)).body).toMatchObject({ checkInDate: day(0), nights: 4, checkOutDate: day(4) });
    });

    it('takes confirm, check-in and complete with an empty JSON body too', async () => {
      const id = await book({ checkInDate: day(0) });
      for (const command of ['confirm', 'check-in', 'complete'] as const) {
        expect((await send(command, id, STAFF, { body: {} })).status).toBe(200);
      }
    });

    it('moves the stay on change, and the read model shows the new check-out day', async () => {
      const id = await book();

      const reply = await send('change', id, STAFF, { body: { checkInDate: day(20), nights: 7 } });

      expect(reply.body).toEqual({ reservationId: id, status: 'pending', version: 2 });
      expect((await read(id)).body).toMatchObject({ checkInDate: day(20), nights: 7, checkOutDate: day(27), version: 2 });
    });

    it('answers 200 with the same version and writes nothing when the change keeps the stay', async () => {
      const id = await book({ checkInDate: day(10), nights: 3 });

      const reply = await send('change', id, STAFF, { body: { checkInDate: day(10), nights: 3 } });

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ reservationId: id, status: 'pending', version: 1 });
      expect(reply.etag).toBe('"1"');
      expect(await storedEvents(practice, id)).toEqual([{ version: 1, type: 'reservation.created' }]);
    });

    it.each([
      ['pending', []],
      ['confirmed', ['confirm']],
      ['checked in', ['confirm', 'check-in']],
    ] as const)('is cancelled with the reason when %s', async (_, before) => {
      const id = await book({ checkInDate: day(0) });
      for (const command of before) expect((await send(command, id, STAFF)).status).toBe(200);

      const reply = await send('cancel', id, STAFF, { body: { reason: 'storm' } });

      expect(reply.body).toEqual({ reservationId: id, status: 'cancelled', version: before.length + 2 });
      expect((await read(id)).body).toMatchObject({ status: 'cancelled', cancelReason: 'storm', version: before.length + 2 });
    });

    it.each([
      ['check-in before confirmation', [], 'check-in', 409, 'RESERVATION_NOT_READY'],
      ['completion before check-in', ['confirm'], 'complete', 409, 'RESERVATION_NOT_READY'],
      ['a second confirmation', ['confirm'], 'confirm', 409, 'RESERVATION_NOT_READY'],
      ['a change after check-in', ['confirm', 'check-in'], 'change', 409, 'RESERVATION_NOT_READY'],
      ['a change after cancellation', ['cancel'], 'change', 409, 'RESERVATION_CLOSED'],
      ['a check-in after cancellation', ['confirm', 'cancel'], 'check-in', 409, 'RESERVATION_CLOSED'],
      ['a change after completion', ['confirm', 'check-in', 'complete'], 'change', 409, 'RESERVATION_CLOSED'],
      ['a cancellation after completion', ['confirm', 'check-in', 'complete'], 'cancel', 409, 'RESERVATION_CLOSED'],
      ['a second cancellation', ['cancel'], 'cancel', 409, 'RESERVATION_ALREADY_CANCELLED'],
    ] as const)('refuses %s with %i %s and writes nothing', async (_, before, command, status, code) => {
      const id = await book({ checkInDate: day(0) });
      for (const step of before) expect((await send(step, id, STAFF)).status).toBe(200);
      const version = before.length + 1;

      expectError(await send(command, id, STAFF), status, code);
      expect(await storedEvents(practice, id)).toHaveLength(version);
      expect((await read(id)).body.version).toBe(version);
    });

    it.each([
      ['0 nights', { checkInDate: day(3), nights: 0 }, 'INVALID_NIGHTS'],
      ['a check-in date in the past', { checkInDate: day(-1), nights: 2 }, 'CHECK_IN_DATE_IN_PAST'],
      ['a day not in the calendar', { checkInDate: '2031-04-31', nights: 2 }, 'INVALID_CHECK_IN_DATE'],
    ])('refuses a change to %s with 422 and writes nothing', async (_, body, code) => {
      const id = await book();

      expectError(await send('change', id, STAFF, { body }), 422, code);
      expect((await read(id)).body).toMatchObject({ version: 1, checkInDate: day(10), nights: 3 });
    });

    it.each(['confirm', 'change', 'check-in', 'complete', 'cancel'] as const)('answers 404 RESERVATION_NOT_FOUND to %s of an unknown reservation', async (command) => {
      const id = randomUUID();

      expectError(await send(command, id, STAFF), 404, 'RESERVATION_NOT_FOUND');
      expect(await storedEvents(practice, id)).toEqual([]);
    });

    it('answers 400 to a reservation id that is not a UUID, and to a cancellation without a reason', async () => {
      expect((await send('confirm', 'not-a-uuid', STAFF)).status).toBe(400);
      expect((await read('not-a-uuid')).status).toBe(400);
      expectError(await send('cancel', await book(), STAFF, { body: {} }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('reading one reservation', () => {
    it('answers 404 RESERVATION_NOT_FOUND for an id nobody created', async () => {
      expectError(await read(randomUUID()), 404, 'RESERVATION_NOT_FOUND');
      expectError(await call('GET', reservations(practice, `/${randomUUID()}/history`), OWNER), 404, 'RESERVATION_NOT_FOUND');
    });

    it('shows it as it was at ?version=n and ?asOf=<time>, each with its ETag, folded the same way as the read model', async () => {
      const id = await book({ checkInDate: day(5), nights: 2 });
      const now = [await read(id)];
      for (const [command, body] of [['confirm'], ['change', { checkInDate: day(6), nights: 3 }], ['cancel', { reason: 'storm' }]] as const) {
        await sleep(25); // recorded times far enough apart to aim between them
        expect((await send(command, id, STAFF, { body })).status).toBe(200);
        now.push(await read(id));
      }
      const recordedAt = ((await call('GET', reservations(practice, `/${id}/history`), OWNER)).body.events as { recordedAt: string }[]).map(
        (e) => e.recordedAt,
      );
      const between = (version: number) => new Date((Date.parse(recordedAt[version - 1]) + Date.parse(recordedAt[version])) / 2).toISOString();

      for (const version of [1, 2, 3, 4]) {
        const byVersion = await read(id, VIEWER, `?version=${version}`);
        expect({ status: byVersion.status, etag: byVersion.etag, body: byVersion.body }).toEqual({ status: 200, etag: `"${version}"`, body: now[version - 1].body });
      }
      for (const version of [1, 2, 3]) {
        const byTime = await read(id, VIEWER, `?asOf=${between(version)}`);
        expect({ status: byTime.status, etag: byTime.etag, body: byTime.body }).toEqual({ status: 200, etag: `"${version}"`, body: now[version - 1].body });
      }
      expect((await read(id, VIEWER, `?asOf=${recordedAt[1]}`)).body.status).toBe('confirmed');
      expect((await read(id, VIEWER, `?version=99`)).body).toEqual(now[3].body);
      expect((await read(id, VIEWER, `?version=3&asOf=${between(1)}`)).body.version).toBe(1);
    });

    it('answers 404 for a time before the reservation existed', async () => {
      const before = new Date(Date.now() - 60_000).toISOString();
      const id = await book();

      expectError(await read(id, OWNER, `?asOf=${before}`), 404, 'RESERVATION_NOT_FOUND');
      expectError(await read(id, OWNER, '?asOf=2000-01-01T00:00:00Z'), 404, 'RESERVATION_NOT_FOUND');
      expectError(await read(randomUUID(), OWNER, '?version=1'), 404, 'RESERVATION_NOT_FOUND');
    });

    it.each(['?version=0', '?version=-1', '?version=two', '?version=1.5', '?asOf=yesterday', '?asOf=2031-02-30T00:00:00Z', '?colour=red'])(
      'answers 400 VALIDATION_FAILED to %s',
      async (query) => {
        expectError(await read(await book(), OWNER, query), 400, 'VALIDATION_FAILED');
      },
    );

    it('lists its history: every event with its version, data, actor and times, oldest first', async () => {
      const created = await create(OWNER, { checkInDate: day(3), nights: 1 });
      const id = created.body.reservationId as string;
      const confirmed = await send('confirm', id, STAFF, { headers: { 'x-correlation-id': 'booking-call-42' } });
      const cancelled = await send('cancel', id, OWNER, { body: { reason: 'storm' } });
      // Without the header a command starts a new correlation: a new id, sent back, on each of its events.
      const [createdIn, cancelledIn] = [created, cancelled].map((r) => r.headers.get('x-correlation-id') ?? '');
      expect([createdIn, cancelledIn]).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
      expect(createdIn).not.toBe(cancelledIn);
      expect(confirmed.headers.get('x-correlation-id')).toBe('booking-call-42');

      const reply = await call('GET', reservations(practice, `/${id}/history`), VIEWER);

      expect(reply.status).toBe(200);
      const iso = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const entry = (version: number, type: string, data: unknown, actor: string, correlationId: string) => ({
        version,
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type,
        data,
        actor: { type: 'human', id: actor },
        occurredAt: iso,
        recordedAt: iso,
        correlationId,
      });
      expect(reply.body).toEqual({
        events: [
          entry(1, 'reservation.created', { reservationId: id, guestId: 'guest-17', guestName: 'Ada Lovelace', checkInDate: day(3), nights: 1, createdAt: iso }, OWNER, createdIn),
          entry(2, 'reservation.confirmed', { confirmedAt: iso }, STAFF, 'booking-call-42'),
          entry(3, 'reservation.cancelled', { reason: 'storm', cancelledAt: iso }, OWNER, cancelledIn),
        ],
      });
      const events = reply.body.events as { occurredAt: string; recordedAt: string; data: Record<string, string> }[];
      const times = events.map((e) => Date.parse(e.recordedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(events.map((e) => e.occurredAt)).toEqual([events[0].data.createdAt, events[1].data.confirmedAt, events[2].data.cancelledAt]);
    });
  });

  describe('listing reservations', () => {
    let listing: string;
    /** Stays by check-in day offset: [offset, nights, status]. */
    const stays: Record<string, [number, number, 'pending' | 'confirmed' | 'cancelled']> = {
      early: [5, 3, 'cancelled'],
      a: [10, 2, 'pending'],
      b: [12, 1, 'pending'],
      twin: [12, 4, 'confirmed'],
      c: [20, 5, 'pending'],
      late: [30, 1, 'confirmed'],
    };
    const ids: Record<string, string> = {};
    const list = async (query = ''): Promise<Reply> => call('GET', reservations(listing, query), VIEWER);
    const namesOf = (reply: Reply): string[] =>
      (reply.body.reservations as { reservationId: string }[]).map((r) => Object.keys(ids).find((name) => ids[name] === r.reservationId) ?? r.reservationId);

    beforeAll(async () => {
      listing = await newPractice(OWNER, { [VIEWER]: 'viewer' });
      for (const [name, [offset, nights, status]] of Object.entries(stays)) {
        ids[name] = await book({ checkInDate: day(offset), nights, guestName: name }, listing);
        if (status === 'confirmed') await send('confirm', ids[name], OWNER, {}, listing);
        if (status === 'cancelled') await send('cancel', ids[name], OWNER, {}, listing);
      }
    });

    it('lists the practice\'s reservations by check-in day, then id, as the detail route shows them', async () => {
      const reply = await list();

      expect(reply.status).toBe(200);
      const twins = [ids.b, ids.twin].sort().map((id) => (id === ids.b ? 'b' : 'twin'));
      expect(namesOf(reply)).toEqual(['early', 'a', ...twins, 'c', 'late']);
      expect(reply.body.nextCursor).toBeNull();
      expect(reply.body.reservations[0]).toEqual((await read(ids.early, VIEWER, '', listing)).body);
    });

    it.each([
      ['pending', ['a', 'b', 'c']],
      ['confirmed', ['twin', 'late']],
      ['cancelled', ['early']],
      ['completed', []],
    ])('filters by status %s', async (status, names) => {
      expect(namesOf(await list(`?status=${status}`)).sort()).toEqual([...names].sort());
    });

    it('keeps the stays that overlap [from, to]: ending after `from`, starting on or before `to`', async () => {
      // a ends (checks out) on day 12, so it has no night inside; c starts on day 20, the last day asked for.
      expect(namesOf(await list(`?from=${day(12)}&to=${day(20)}`)).sort()).toEqual(['b', 'c', 'twin']);
      expect(namesOf(await list(`?from=${day(11)}&to=${day(11)}`))).toEqual(['a']);
      expect(namesOf(await list(`?from=${day(25)}`))).toEqual(['late']);
      expect(namesOf(await list(`?to=${day(9)}`))).toEqual(['early']);
      expect(namesOf(await list(`?from=${day(12)}&to=${day(20)}&status=confirmed`))).toEqual(['twin']);
      expect(namesOf(await list(`?from=${day(20)}&to=${day(10)}`))).toEqual([]);
    });

    it('pages with the cursor, returning every reservation exactly once, in order', async () => {
      const all = namesOf(await list());
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Reply = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.reservations.length).toBeLessThanOrEqual(2);
        seen.push(...namesOf(page));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(all);
    });

    it('pages a filtered list too', async () => {
      const first = await list('?status=pending&limit=2');
      const second = await list(`?status=pending&limit=2&cursor=${first.body.nextCursor}`);

      expect([...namesOf(first), ...namesOf(second)]).toEqual(namesOf(await list('?status=pending')));
      expect(second.body.nextCursor).toBeNull();
    });

    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    it.each([
      ['garbage', 'not-a-cursor'],
      ['a cursor of the wrong shape', forged({ after: 3 })],
      ['a cursor with a day that is not in the calendar', forged({ checkInDate: '2031-02-30', reservationId: 'x' })],
    ])('answers 400 INVALID_CURSOR to %s', async (_, cursor) => {
      expectError(await list(`?cursor=${cursor}`), 400, 'INVALID_CURSOR');
    });

    it.each(['?limit=0', '?limit=501', '?limit=1000000', '?limit=-1', '?limit=ten', '?status=lost', '?from=2031-3-1', '?from=2031-02-30', '?to=2031-13-01'])(
      'answers 400 VALIDATION_FAILED to %s',
      async (query) => {
        expectError(await list(query), 400, 'VALIDATION_FAILED');
      },
    );

    it('accepts the largest limit, 500', async () => {
      expect((await list('?limit=500')).body.reservations).toHaveLength(Object.keys(stays).length);
    });
  });

  describe('optimistic concurrency with If-Match', () => {
    it('runs a command whose If-Match names the current version', async () => {
      const id = await book();

      const reply = await send('confirm', id, STAFF, { headers: { 'if-match': '"1"' } });

      expect({ status: reply.status, etag: reply.etag }).toEqual({ status: 200, etag: '"2"' });
    });

    it('answers 409 CONCURRENCY_CONFLICT to a stale If-Match and writes nothing', async () => {
      const id = await book();
      await send('confirm', id, STAFF);

      const reply = await send('cancel', id, STAFF, { headers: { 'if-match': '"1"' } });

      expectError(reply, 409, 'CONCURRENCY_CONFLICT');
      expect(reply.body.error.details).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
      expect(await storedEvents(practice, id)).toHaveLength(2);
      expect((await read(id)).body).toMatchObject({ status: 'confirmed', version: 2 });
    });

    it.each(['3', 'W/"1"'])('reads If-Match %s as an ETag', async (ifMatch) => {
      const id = await book();
      await send('confirm', id, STAFF);

      expectError(await send('change', id, STAFF, { headers: { 'if-match': ifMatch } }), 409, 'CONCURRENCY_CONFLICT');
      expect(await storedEvents(practice, id)).toHaveLength(2);
    });

    it('runs a command with If-Match: * on a reservation that exists, whatever its version', async () => {
      const id = await book();
      await send('confirm', id, STAFF);

      const reply = await send('change', id, STAFF, { headers: { 'if-match': '*' } });

      expect({ status: reply.status, etag: reply.etag }).toEqual({ status: 200, etag: '"3"' });
    });

    it('answers 409 CONCURRENCY_CONFLICT to a create with If-Match: * (nothing there yet) and writes nothing', async () => {
      const id = randomUUID();

      const reply = await create(OWNER, { reservationId: id }, practice, { 'if-match': '*' });

      expectError(reply, 409, 'CONCURRENCY_CONFLICT');
      expect(reply.body.error.details).toMatchObject({ expectedVersion: 'stream_exists', actualVersion: 0 });
      expect(reply.headers.get('location')).toBeNull();
      expect(await storedEvents(practice, id)).toEqual([]);
    });

    it.each(['abc', '""', '"-1"', '"1.5"', '**'])('answers 400 INVALID_IF_MATCH to If-Match %s and writes nothing', async (ifMatch) => {
      const id = await book();

      expectError(await send('confirm', id, STAFF, { headers: { 'if-match': ifMatch } }), 400, 'INVALID_IF_MATCH');
      expect(await storedEvents(practice, id)).toHaveLength(1);
    });
  });

  describe('who may do what', () => {
    const commands = ['confirm', 'change', 'check-in', 'complete', 'cancel'] as const;

    it('lets a viewer read everything and refuses every command with 403 ROLE_TOO_LOW, writing nothing', async () => {
      const id = await book();
      for (const query of ['', '?version=1', '/history']) expect((await read(id, VIEWER, query)).status).toBe(200);
      expect((await call('GET', reservations(practice), VIEWER)).status).toBe(200);

      expectError(await create(VIEWER, { reservationId: randomUUID() }), 403, 'ROLE_TOO_LOW');
      for (const command of commands) expectError(await send(command, id, VIEWER), 403, 'ROLE_TOO_LOW');
      expect(await storedEvents(practice, id)).toHaveLength(1);
    });

    it('answers 403 NOT_A_MEMBER to a stranger on every route, whatever the id', async () => {
      const id = await book();
      const attempts: [string, string, unknown][] = [
        ['POST', reservations(practice), { guestId: 'g', guestName: 'Eve', checkInDate: day(3), nights: 1 }],
        ...commands.map((command): [string, string, unknown] => ['POST', reservations(practice, `/${id}/${command}`), bodyOf[command]()]),
        ['GET', reservations(practice), undefined],
        ['GET', reservations(practice, `/${id}`), undefined],
        ['GET', reservations(practice, `/${id}?version=1`), undefined],
        ['GET', reservations(practice, `/${id}/history`), undefined],
        ['GET', reservations(practice, `/${randomUUID()}`), undefined],
        ['POST', reservations(practice, '/not-a-uuid/confirm'), undefined],
      ];
      for (const [method, path, body] of attempts) {
        const reply = await call(method, path, STRANGER, { body });
        expect({ path, status: reply.status, code: reply.body?.error?.code }).toEqual({ path, status: 403, code: 'NOT_A_MEMBER' });
      }
      expect(await storedEvents(practice, id)).toHaveLength(1);
    });

    it('answers 401 without a token', async () => {
      const response = await fetch(`${app.baseUrl}${reservations(practice)}`);
      expect(response.status).toBe(401);
    });

    describe('when the id belongs to another practice\'s reservation', () => {
      let foreign: string;
      beforeAll(async () => {
        foreign = await book({ guestName: 'Private Guest' }, otherPractice, OTHER_OWNER);
      });

      it('is invisible through the caller\'s own practice (404) and not in its list', async () => {
        for (const query of ['', '?version=1', `?asOf=${new Date().toISOString()}`, '/history']) {
          expectError(await read(foreign, OWNER, query), 404, 'RESERVATION_NOT_FOUND');
        }
        const list = await call('GET', reservations(practice, '?limit=500'), OWNER);
        expect(JSON.stringify(list.body)).not.toContain(foreign);
      });

      it('is untouchable through the caller\'s own practice (404), and stays unchanged', async () => {
        for (const command of commands) expectError(await send(command, foreign, OWNER), 404, 'RESERVATION_NOT_FOUND');
        // With If-Match the version check comes first: the answer is the one any unknown id gets, so nothing leaks.
        const guessed = await send('confirm', foreign, OWNER, { headers: { 'if-match': '"1"' } });
        const unknown = await send('confirm', randomUUID(), OWNER, { headers: { 'if-match': '"1"' } });
        expect({ status: guessed.status, code: guessed.body.error.code }).toEqual({ status: unknown.status, code: unknown.body.error.code });
        expect(guessed.status).toBeGreaterThanOrEqual(400);

        expect(await storedEvents(practice, foreign)).toEqual([]);
        expect(await storedEvents(otherPractice, foreign)).toEqual([{ version: 1, type: 'reservation.created' }]);
        expect((await read(foreign, OTHER_OWNER, '', otherPractice)).body).toMatchObject({ status: 'pending', version: 1, guestName: 'Private Guest' });
      });

      it('is refused through its own practice with 403 NOT_A_MEMBER', async () => {
        expectError(await read(foreign, OWNER, '', otherPractice), 403, 'NOT_A_MEMBER');
        expectError(await send('cancel', foreign, OWNER, {}, otherPractice), 403, 'NOT_A_MEMBER');
      });

      it('does not block the caller\'s practice from a reservation of its own with that id', async () => {
        const reply = await create(OWNER, { reservationId: foreign, guestName: 'Our Guest' });

        expect(reply.status).toBe(201);
        expect((await read(foreign)).body).toMatchObject({ practiceId: practice, guestName: 'Our Guest' });
        expect((await read(foreign, OTHER_OWNER, '', otherPractice)).body).toMatchObject({ practiceId: otherPractice, guestName: 'Private Guest', version: 1 });
      });
    });
  });
});
