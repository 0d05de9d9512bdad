import { randomUUID } from 'node:crypto';
import { expectError, sendJson, type Reply as FullReply } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { base64url, handMadeToken, nowInSeconds as now } from '../support/tokens.js';

/** The generic events API, held to the contract of reference 001 (plus version and cursor). */

const JWT_SECRET = 'events-api-e2e-secret-0123456789';
const EVENT_FIELDS = [
  'actorId',
  'actorType',
  'aggregateId',
  'aggregateType',
  'createdAt',
  'eventType',
  'id',
  'payload',
  'practiceId',
  'version',
];

/** What the assertions compare: the status and the body (001's contract says nothing of headers). */
type Reply = Pick<FullReply, 'status' | 'body'>;
const statusAndBody = ({ status, body }: FullReply): Reply => ({ status, body });

interface StoredEvent {
  readonly id: string;
  readonly eventType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly payload: Record<string, unknown>;
}

const jwt = (claims: object, secret = JWT_SECRET, header?: object): string => handMadeToken(claims, secret, header);

describe('Events API', () => {
  let app: TestApp;

  const send = (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> =>
    sendJson(app.baseUrl, method, path, headers, body).then(statusAndBody);
  const append = (userId: string, body: object, actorType?: 'human' | 'ai' | 'system') =>
    send('POST', '/v1/events/append', app.as(userId, actorType), body);
  const get = (userId: string, path: string) => send('GET', path, app.as(userId));

  const newPractice = (owner: string, members: Record<string, string> = {}) => createPractice(app, owner, members);

  const practiceEvent = (practiceId: string, eventType: string, payload: object, extra: object = {}) => ({
    practiceId,
    aggregateType: 'practice',
    aggregateId: practiceId,
    eventType,
    payload,
    ...extra,
  });

  const userEvent = (practiceId: string, userId: string, payload: object = { name: 'Ursula' }, extra: object = {}) => ({
    practiceId,
    aggregateType: 'user',
    aggregateId: userId,
    eventType: 'user.created',
    payload,
    ...extra,
  });

  /**
   * Reads by type until `done` holds. Reads by type only show transactions older than every
   * one still open on the server (so nothing can appear behind a cursor later): with other
   * work on the same PostgreSQL, a committed event can take a moment to show.
   */
  const readByTypeUntil = async (userId: string, path: string, done: (events: StoredEvent[]) => boolean): Promise<Reply> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const reply = await get(userId, path);
      if (reply.status !== 200 || done(reply.body.events as StoredEvent[]) || Date.now() > deadline) return reply;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const streamOf = async (practiceId: string, reader = 'alice'): Promise<StoredEvent[]> => {
    const reply = await get(reader, `/v1/events/aggregate/${practiceId}/practice/${practiceId}`);
    expect(reply.status).toBe(200);
    return reply.body.events as StoredEvent[];
  };

  beforeAll(async () => {
    app = await startTestApp({ JWT_SECRET });
  });
  afterAll(() => app.close());

  describe('when a member appends an event the aggregate accepts', () => {
    it('answers 201 with the stored event under the contract field names, and the read model follows', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'Practice Name' }));

      expect(reply.status).toBe(201);
      expect(Object.keys(reply.body).sort()).toEqual(EVENT_FIELDS);
      expect(reply.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        practiceId,
        aggregateType: 'practice',
        aggregateId: practiceId,
        eventType: 'practice.updated',
        payload: { name: 'Practice Name' },
        actorType: 'human',
        actorId: 'alice',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        version: 3,
      });
      expect(Math.abs(Date.parse(reply.body.createdAt) - Date.now())).toBeLessThan(60_000);
      const practice = await get('alice', `/v1/practices/${practiceId}`);
      expect(practice.body).toMatchObject({ name: 'Practice Name', version: 3 });
    });

    it('accepts actorType and actorId that name the caller', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'N' }, { actorType: 'human', actorId: 'alice' }));

      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ actorType: 'human', actorId: 'alice' });
    });

    it('records an AI agent as actorType ai', async () => {
      const practiceId = await newPractice('alice', { 'agent-7': 'staff' });

      const reply = await append('agent-7', userEvent(practiceId, 'u-1', { name: 'Ursula' }, { actorType: 'ai' }), 'ai');

      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ actorType: 'ai', actorId: 'agent-7', aggregateType: 'user', aggregateId: 'u-1', version: 1 });
    });

    it('lets staff append, and adds members through membership.created', async () => {
      const practiceId = await newPractice('alice', { ada: 'admin', sam: 'staff' });

      expect((await append('sam', userEvent(practiceId, 'u-2'))).status).toBe(201);
      const added = await append('ada', practiceEvent(practiceId, 'membership.created', { userId: 'newbie', role: 'viewer' }));

      expect(added.status).toBe(201);
      expect((await get('newbie', `/v1/practices/${practiceId}/memberships`)).status).toBe(200);
    });

    it('appends after the version given as expectedVersion', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'Exact' }, { expectedVersion: 2 }));

      expect(reply.status).toBe(201);
      expect(reply.body.version).toBe(3);
    });
  });

  describe('when the aggregate would not have decided the event', () => {
    it('answers 409 PRACTICE_ALREADY_EXISTS to a second practice.created, and the stream keeps one', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.created', { name: 'Again' }));

      expectError(reply, 409, 'PRACTICE_ALREADY_EXISTS');
      expect((await streamOf(practiceId)).map((e) => e.eventType)).toEqual(['practice.created', 'membership.created']);
    });

    it('answers 404 MEMBER_NOT_FOUND to membership.role_changed for a non-member', async () => {
      const practiceId = await newPractice('alice');

      const payload = { userId: 'ghost', role: 'admin', previousRole: 'staff' };

      const reply = await append('alice', practiceEvent(practiceId, 'membership.role_changed', payload));

      expectError(reply, 404, 'MEMBER_NOT_FOUND');
      expect(await streamOf(practiceId)).toHaveLength(2);
    });

    it('answers 403 ROLE_TOO_LOW to an admin granting owner through membership.created', async () => {
      const practiceId = await newPractice('alice', { ada: 'admin' });

      const reply = await append('ada', practiceEvent(practiceId, 'membership.created', { userId: 'ada2', role: 'owner' }));

      expectError(reply, 403, 'ROLE_TOO_LOW');
    });

    it('answers 403 ROLE_TOO_LOW to staff renaming the practice (an admin rule of the aggregate)', async () => {
      const practiceId = await newPractice('alice', { sam: 'staff' });

      expectError(await append('sam', practiceEvent(practiceId, 'practice.updated', { name: 'Staff' })), 403, 'ROLE_TOO_LOW');
    });

    it('answers 409 USER_ALREADY_EXISTS to a second user.created on one user', async () => {
      const practiceId = await newPractice('alice');
      const user = userEvent(practiceId, 'u-9');
      expect((await append('alice', user)).status).toBe(201);

      expectError(await append('alice', user), 409, 'USER_ALREADY_EXISTS');
    });

    it('stores the member\'s real previousRole, whatever the request says', async () => {
      const practiceId = await newPractice('alice', { vera: 'viewer' });
      const payload = { userId: 'vera', role: 'admin', previousRole: 'owner' };

      const reply = await append('alice', practiceEvent(practiceId, 'membership.role_changed', payload));

      expect(reply.status).toBe(201);
      expect(reply.body.payload).toEqual({ userId: 'vera', role: 'admin', previousRole: 'viewer' });
      const changes = (await streamOf(practiceId)).filter((e) => e.eventType === 'membership.role_changed');
      expect(changes.map((e) => e.payload)).toEqual([{ userId: 'vera', role: 'admin', previousRole: 'viewer' }]);
    });

    it('answers 409 EVENT_NOT_DECIDED to a rename that changes nothing, and stores nothing', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'Harbour Dental' }));

      expectError(reply, 409, 'EVENT_NOT_DECIDED');
      expect(await streamOf(practiceId)).toHaveLength(2);
    });
  });

  describe('when the request names what the registry does not know', () => {
    it('answers 400 UNKNOWN_EVENT_TYPE naming the type', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.exploded', { name: 'x' }));

      expectError(reply, 400, 'UNKNOWN_EVENT_TYPE');
      expect(reply.body.error.message).toContain('practice.exploded');
      expect(reply.body.error.details).toEqual({ eventType: 'practice.exploded' });
    });

    it('answers 400 INVALID_EVENT_PAYLOAD naming every failing field', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'membership.created', { userId: 42, role: 'king', mood: 'happy' }));

      expectError(reply, 400, 'INVALID_EVENT_PAYLOAD');
      expect(reply.body.error.details.eventType).toBe('membership.created');
      const fields = (reply.body.error.details.violations as { field: string }[]).map((v) => v.field).sort();
      expect(fields).toEqual(['mood', 'role', 'userId']);
    });

    it('answers 400 INVALID_EVENT_PAYLOAD to a payload missing its fields', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.updated', {}));

      expectError(reply, 400, 'INVALID_EVENT_PAYLOAD');
      expect(reply.body.error.details.violations).toEqual([{ field: 'name', constraints: expect.any(Array) }]);
    });

    it('answers 400 EVENT_TYPE_MISMATCH to an event type of another aggregate type', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'user.created', { name: 'Ursula' }));

      expectError(reply, 400, 'EVENT_TYPE_MISMATCH');
      expect(reply.body.error.message).toContain('user');
    });

    it('answers 400 UNKNOWN_AGGREGATE_TYPE to an aggregate type nobody registered', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', { ...practiceEvent(practiceId, 'practice.updated', { name: 'x' }), aggregateType: 'spaceship' });

      expectError(reply, 400, 'UNKNOWN_AGGREGATE_TYPE');
    });

    it('answers 400 AGGREGATE_ID_MISMATCH to a practice event whose aggregateId is not the practiceId', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', { ...practiceEvent(practiceId, 'practice.updated', { name: 'x' }), aggregateId: randomUUID() });

      expectError(reply, 400, 'AGGREGATE_ID_MISMATCH');
      expect(await streamOf(practiceId)).toHaveLength(2);
    });
  });

  describe('when a reservation is appended that its own routes would refuse', () => {
    const reservationCreated = (practiceId: string, aggregateId: string, guest: object = {}) => ({
      practiceId,
      aggregateType: 'reservation',
      aggregateId,
      eventType: 'reservation.created',
      payload: { reservationId: aggregateId, ...stay(), ...guest, createdAt: new Date().toISOString() },
    });
    const reservationStream = async (practiceId: string, id: string) =>
      (await get('alice', `/v1/events/aggregate/${practiceId}/reservation/${encodeURIComponent(id)}`)).body.events;

    it.each([
      ['no UUID (its routes could never address it)', 'Room 12 / Smith'],
      ['a UUID in capitals', randomUUID().toUpperCase()],
    ])('answers 400 INVALID_AGGREGATE_ID to an id that is %s, and stores nothing', async (_, id) => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', reservationCreated(practiceId, id));

      expectError(reply, 400, 'INVALID_AGGREGATE_ID');
      expect(reply.body.error.message).toContain('a UUID in lower case');
      expect(await reservationStream(practiceId, id)).toEqual([]);
    });

    it.each(['.', '..'])('answers 400 INVALID_AGGREGATE_ID to a user stream named %j, which no URL can address, and stores nothing', async (id) => {
      const practiceId = await newPractice('alice');

      expectError(await append('alice', userEvent(practiceId, id)), 400, 'INVALID_AGGREGATE_ID');
      const { rows } = await app.db.pool.query(`SELECT 1 FROM events WHERE tenant_id = $1 AND aggregate_type = 'user'`, [practiceId]);
      expect(rows).toEqual([]);
    });

    it('answers 400 INVALID_AGGREGATE_ID to a second spelling of a reservation that exists, which keeps its one event', async () => {
      const practiceId = await newPractice('alice');
      const id = randomUUID();
      expect((await append('alice', reservationCreated(practiceId, id))).status).toBe(201);

      expectError(await append('alice', reservationCreated(practiceId, id.toUpperCase())), 400, 'INVALID_AGGREGATE_ID');
      expect(await reservationStream(practiceId, id)).toHaveLength(1);
    });

    it('answers 400 INVALID_EVENT_PAYLOAD naming a guest e-mail and phone the create route refuses', async () => {
      const practiceId = await newPractice('alice');
      const id = randomUUID();

      const reply = await append('alice', reservationCreated(practiceId, id, { guestEmail: 'not-an-email', guestPhone: '<script>' }));

      expectError(reply, 400, 'INVALID_EVENT_PAYLOAD');
      const fields = (reply.body.error.details.violations as { field: string }[]).map((v) => v.field).sort();
      expect(fields).toEqual(['guestEmail', 'guestPhone']);
      expect(await reservationStream(practiceId, id)).toEqual([]);
    });

    it.each([[[]], [[{ amount: 5000, currency: 'EUR' }]]])('answers 400 INVALID_EVENT_PAYLOAD naming deposit to a deposit %j', async (deposit) => {
      const practiceId = await newPractice('alice');
      const id = randomUUID();

      const reply = await append('alice', reservationCreated(practiceId, id, { deposit }));

      expectError(reply, 400, 'INVALID_EVENT_PAYLOAD');
      expect((reply.body.error.details.violations as { field: string }[]).map((v) => v.field)).toEqual(['deposit']);
      expect(await reservationStream(practiceId, id)).toEqual([]);
    });

    it('stores a guest e-mail and phone the create route accepts', async () => {
      const practiceId = await newPractice('alice');
      const guest = { guestEmail: 'ada@example.org', guestPhone: '+44 20 7946 0958' };

      const reply = await append('alice', reservationCreated(practiceId, randomUUID(), guest));

      expect([reply.status, reply.body.payload]).toEqual([201, expect.objectContaining(guest)]);
    });
  });

  describe('when the stream moved on since expectedVersion', () => {
    it('answers 409 CONCURRENCY_CONFLICT and appends nothing', async () => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'Late' }, { expectedVersion: 1 }));

      expectError(reply, 409, 'CONCURRENCY_CONFLICT');
      expect(reply.body.error.details).toEqual({ expectedVersion: 1, actualVersion: 2 });
      expect(await streamOf(practiceId)).toHaveLength(2);
    });
  });

  describe('when If-Match names the version, as on every command', () => {
    const appendIfMatch = (practiceId: string, ifMatch: string, extra: object = {}) =>
      sendJson(app.baseUrl, 'POST', '/v1/events/append', { ...app.as('alice'), 'if-match': ifMatch }, practiceEvent(practiceId, 'practice.updated', { name: 'Matched' }, extra));

    it('appends at the version it names, answering the new version as ETag; a stale one gets 409 and appends nothing', async () => {
      const practiceId = await newPractice('alice');

      const stale = await appendIfMatch(practiceId, '"1"');
      const current = await appendIfMatch(practiceId, '"2"');

      expectError(stale, 409, 'CONCURRENCY_CONFLICT');
      expect({ status: current.status, etag: current.headers.get('etag'), version: current.body.version }).toEqual({ status: 201, etag: '"3"', version: 3 });
      expect(await streamOf(practiceId)).toHaveLength(3);
    });

    it('answers 400 when If-Match and expectedVersion disagree, or If-Match is no ETag, and appends nothing', async () => {
      const practiceId = await newPractice('alice');

      const disagree = await appendIfMatch(practiceId, '"2"', { expectedVersion: 1 });
      const garbled = await appendIfMatch(practiceId, 'version two');

      expectError(disagree, 400, 'IF_MATCH_MISMATCH');
      expectError(garbled, 400, 'INVALID_IF_MATCH');
      expect(await streamOf(practiceId)).toHaveLength(2);
    });
  });

  describe('when two appends based on the same expectedVersion arrive at the same time', () => {
    it('stores exactly one and answers 409 CONCURRENCY_CONFLICT to the other', async () => {
      for (let round = 0; round < 3; round++) {
        const practiceId = await newPractice('alice');

        const replies = await Promise.all(
          ['First', 'Second'].map((name) => append('alice', practiceEvent(practiceId, 'practice.updated', { name }, { expectedVersion: 2 }))),
        );

        expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
        expectError(replies.find((r) => r.status === 409)!, 409, 'CONCURRENCY_CONFLICT');
        expect(await streamOf(practiceId)).toHaveLength(3);
      }
    });
  });

  describe('when the same eventId is appended twice at the same time', () => {
    it.each([
      ['practice.updated', { name: 'Once' }],
      ['membership.created', { userId: 'newbie', role: 'viewer' }],
    ])('answers both %s appends with the one stored event', async (eventType, payload) => {
      const practiceId = await newPractice('alice');
      const event = practiceEvent(practiceId, eventType, payload, { eventId: randomUUID() });

      const replies = await Promise.all([append('alice', event), append('alice', event)]);

      expect(replies.map((r) => r.status)).toEqual([201, 201]);
      expect(replies[1].body).toEqual(replies[0].body);
      expect(await streamOf(practiceId)).toHaveLength(3);
    });
  });

  describe('when the same eventId is appended twice', () => {
    it('answers with the same stored event both times and stores it once', async () => {
      const practiceId = await newPractice('alice');
      const eventId = randomUUID();
      const event = practiceEvent(practiceId, 'practice.updated', { name: 'Once' }, { eventId });

      const first = await append('alice', event);
      const second = await append('alice', event);

      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(first.body.id).toBe(eventId);
      expect((await streamOf(practiceId)).filter((e) => e.id === eventId)).toHaveLength(1);
      expect(await streamOf(practiceId)).toHaveLength(3);
    });

    it('answers 409 EVENT_ID_REUSED when the id is sent again for another stream', async () => {
      const practiceId = await newPractice('alice');
      const eventId = randomUUID();
      expect((await append('alice', userEvent(practiceId, 'first', { name: 'U' }, { eventId }))).status).toBe(201);

      expectError(await append('alice', userEvent(practiceId, 'second', { name: 'U' }, { eventId })), 409, 'EVENT_ID_REUSED');
      expect((await get('alice', `/v1/events/aggregate/${practiceId}/user/second`)).body).toEqual({ events: [] });
    });
  });

  describe('when actorType or actorId is not the caller', () => {
    it.each([
      ['another user id', { actorId: 'bob' }],
      ['the system actor type', { actorType: 'system' }],
      ['the ai actor type', { actorType: 'ai' }],
    ])('answers 403 ACTOR_MISMATCH to %s and appends nothing', async (_label, actor) => {
      const practiceId = await newPractice('alice');

      const reply = await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'Forged' }, actor));

      expectError(reply, 403, 'ACTOR_MISMATCH');
      expect(await streamOf(practiceId)).toHaveLength(2);
    });
  });

  describe('when the events of an aggregate are read', () => {
    it('carries the aggregate\'s version as ETag, as every answer about one aggregate, and "0" for no events', async () => {
      const practiceId = await newPractice('alice');
      const read = (path: string) => sendJson(app.baseUrl, 'GET', `/v1/events/aggregate/${practiceId}/${path}`, app.as('alice'));

      const practice = await read(`practice/${practiceId}`);
      const nobody = await read('user/nobody');

      expect([practice.status, practice.body.events.length, practice.etag]).toEqual([200, 2, '"2"']);
      expect([nobody.status, nobody.etag]).toEqual([200, '"0"']);
    });

    it('answers 200 with only { events } in version order, oldest first', async () => {
      const practiceId = await newPractice('alice', { sam: 'staff' });
      await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'Second name' }));
      await send('PATCH', `/v1/practices/${practiceId}/memberships/sam`, app.as('alice'), { role: 'admin' });

      const reply = await get('sam', `/v1/events/aggregate/${practiceId}/practice/${practiceId}`);

      expect(reply.status).toBe(200);
      expect(Object.keys(reply.body)).toEqual(['events']);
      const events = reply.body.events as StoredEvent[];
      expect(events.map((e) => [e.version, e.eventType])).toEqual([
        [1, 'practice.created'],
        [2, 'membership.created'],
        [3, 'membership.created'],
        [4, 'practice.updated'],
        [5, 'membership.role_changed'],
      ]);
      expect(events[4].payload).toEqual({ userId: 'sam', role: 'admin', previousRole: 'staff' });
      for (const event of events) expect(Object.keys(event).sort()).toEqual(EVENT_FIELDS);
    });

    it('answers 200 with an empty list for an aggregate without events', async () => {
      const practiceId = await newPractice('alice');

      expect(await get('alice', `/v1/events/aggregate/${practiceId}/user/nobody`)).toEqual({ status: 200, body: { events: [] } });
    });
  });

  describe('when a practice has more than 100 events of one type', () => {
    let practiceId: string;
    let allIds: string[];

    beforeAll(async () => {
      practiceId = await newPractice('alice', { vera: 'viewer' });
      const userIds = Array.from({ length: 105 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
      for (let i = 0; i < userIds.length; i += 8) {
        await Promise.all(
          userIds.slice(i, i + 8).map(async (userId) => {
            const reply = await append('alice', userEvent(practiceId, userId, { name: userId }));
            expect(reply.status).toBe(201);
          }),
        );
      }
      const path = `/v1/events/type/${practiceId}/user.created?limit=1000`;
      const everything = await readByTypeUntil('vera', path, (events) => events.length === userIds.length);
      allIds = (everything.body.events as StoredEvent[]).map((e) => e.id);
    });

    it('returns 100 by default, with a cursor to the rest', async () => {
      const reply = await get('vera', `/v1/events/type/${practiceId}/user.created`);

      expect(reply.status).toBe(200);
      expect(Object.keys(reply.body).sort()).toEqual(['events', 'nextCursor']);
      expect(reply.body.events).toHaveLength(100);
      expect(reply.body.nextCursor).toEqual(expect.any(String));
      for (const event of reply.body.events as StoredEvent[]) {
        expect(Object.keys(event).sort()).toEqual(EVENT_FIELDS);
        expect(event.eventType).toBe('user.created');
      }
      const rest = await get('vera', `/v1/events/type/${practiceId}/user.created?cursor=${encodeURIComponent(reply.body.nextCursor)}`);
      expect(rest.body.events).toHaveLength(5);
      expect(rest.body.nextCursor).toEqual(expect.any(String));
      const end = await get('vera', `/v1/events/type/${practiceId}/user.created?cursor=${encodeURIComponent(rest.body.nextCursor)}`);
      expect(end.body).toEqual({ events: [], nextCursor: null });
    });

    it('returns every event exactly once, in the same order, when paged with a cursor', async () => {
      expect(allIds).toHaveLength(105);
      const paged: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? 'limit=7' : `limit=7&cursor=${encodeURIComponent(cursor)}`;
        const reply = await get('vera', `/v1/events/type/${practiceId}/user.created?${query}`);
        expect(reply.status).toBe(200);
        expect(reply.body.events.length).toBeLessThanOrEqual(7);
        paged.push(...(reply.body.events as StoredEvent[]).map((e) => e.id));
        cursor = reply.body.nextCursor;
        pages++;
      } while (cursor !== null && pages < 50);

      expect(paged).toEqual(allIds);
      expect(new Set(paged).size).toBe(105);
    });

    it.each(['1', '1000'])('accepts limit=%s', async (limit) => {
      const reply = await get('vera', `/v1/events/type/${practiceId}/user.created?limit=${limit}`);

      expect(reply.status).toBe(200);
      expect(reply.body.events).toHaveLength(Math.min(Number(limit), 105));
    });

    it.each(['0', '-1', 'abc', '100000', '1001', '2.5'])('answers 400 VALIDATION_FAILED naming limit to limit=%s', async (limit) => {
      const reply = await get('vera', `/v1/events/type/${practiceId}/user.created?limit=${limit}`);

      expectError(reply, 400, 'VALIDATION_FAILED');
      expect(reply.body.error.details.violations.map((v: { field: string }) => v.field)).toEqual(['limit']);
    });

    it.each(['garbage', '1', '1:', ':1', '-1:2', '99999999999999999999:1'])('answers 400 INVALID_CURSOR to cursor=%s', async (cursor) => {
      const reply = await get('vera', `/v1/events/type/${practiceId}/user.created?cursor=${encodeURIComponent(cursor)}`);

      expectError(reply, 400, 'INVALID_CURSOR');
    });

    it('answers an empty page for a type with no events in the practice', async () => {
      const reply = await get('vera', `/v1/events/type/${practiceId}/practice.updated`);

      expect(reply).toEqual({ status: 200, body: { events: [], nextCursor: null } });
    });
  });

  describe('when a practice reads events by type', () => {
    it('sees only its own practice\'s events', async () => {
      const mine = await newPractice('alice');
      await newPractice('bob');

      const reply = await readByTypeUntil('alice', `/v1/events/type/${mine}/practice.created`, (events) => events.length > 0);

      expect(reply.body.events).toHaveLength(1);
      expect(reply.body.events[0]).toMatchObject({ practiceId: mine, aggregateId: mine, actorId: 'alice' });
    });

    it('gives a cursor to go on from with a page cut short while an older transaction is open, and the rest after it ends', async () => {
      const practiceId = await newPractice('alice');
      const path = `/v1/events/type/${practiceId}/practice.updated`;
      await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'Before' }));
      const seen = await readByTypeUntil('alice', path, (events) => events.length === 1);
      const older = await app.db.pool.connect();
      try {
        await older.query('BEGIN');
        await older.query('SELECT pg_current_xact_id()');
        await append('alice', practiceEvent(practiceId, 'practice.updated', { name: 'After' }));

        const cut = await get('alice', `${path}?cursor=${encodeURIComponent(seen.body.nextCursor)}`);
        expect(cut.body).toEqual({ events: [], nextCursor: null });
        const short = await get('alice', path);
        expect((short.body.events as StoredEvent[]).map((e) => e.payload.name)).toEqual(['Before']);
        expect(short.body.nextCursor).toEqual(expect.any(String));
        await older.query('COMMIT');

        const rest = await readByTypeUntil('alice', `${path}?cursor=${encodeURIComponent(short.body.nextCursor)}`, (events) => events.length > 0);
        expect((rest.body.events as StoredEvent[]).map((e) => e.payload.name)).toEqual(['After']);
      } finally {
        await older.query('ROLLBACK').catch(() => undefined);
        older.release();
      }
    });
  });

  describe('when the caller is not authenticated', () => {
    const appendAs = async (headers: Record<string, string>) => {
      const practiceId = await newPractice('alice');
      const event = practiceEvent(practiceId, 'practice.updated', { name: 'Anon' });
      const reply = await send('POST', '/v1/events/append', { 'content-type': 'application/json', ...headers }, event);
      expect(await streamOf(practiceId)).toHaveLength(2);
      return reply;
    };

    it.each([
      ['no credentials', {}],
      ['an x-user-id header (only trusted behind a gateway)', { 'x-user-id': 'alice' }],
      ['a malformed token', { authorization: 'Bearer not-a-jwt' }],
      ['a token under another scheme', { authorization: `Basic ${jwt({ sub: 'alice' })}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['an expired token', { authorization: `Bearer ${jwt({ sub: 'alice', iat: now() - 7200, exp: now() - 3600 })}` }],
      ['a token signed with another secret', { authorization: `Bearer ${jwt({ sub: 'alice' }, 'some-other-secret-0123456789')}` }],
      ['an unsigned token (alg none)', { authorization: `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice' })}.` }],
      ['a token without a subject', { authorization: `Bearer ${jwt({ actorType: 'human', exp: now() + 60 })}` }],
      ['a token without an expiry', { authorization: `Bearer ${jwt({ sub: 'alice', iat: now() })}` }],
      ['a token with an unknown actor type', { authorization: `Bearer ${jwt({ sub: 'alice', actorType: 'robot', exp: now() + 60 })}` }],
    ])('answers 401 UNAUTHENTICATED to %s, and appends nothing', async (_label, headers) => {
      expectError(await appendAs(headers), 401, 'UNAUTHENTICATED');
    });

    it('answers 401 UNAUTHENTICATED on the read routes too', async () => {
      const practiceId = await newPractice('alice');

      for (const path of [`/v1/events/aggregate/${practiceId}/practice/${practiceId}`, `/v1/events/type/${practiceId}/practice.created`]) {
        expectError(await send('GET', path, {}), 401, 'UNAUTHENTICATED');
      }
    });

    it('lets a token signed with its secret through to the membership check', async () => {
      const reply = await appendAs({ authorization: `Bearer ${jwt({ sub: 'stranger', iat: now(), exp: now() + 60 })}` });

      expectError(reply, 403, 'NOT_A_MEMBER');
    });
  });

  describe('behind a trusted gateway (AUTH_MODE=trusted-header)', () => {
    let gateway: TestApp;
    const headers = (userId: string, actorType?: string): Record<string, string> => ({
      'content-type': 'application/json',
      'x-user-id': userId,
      ...(actorType ? { 'x-actor-type': actorType } : {}),
    });
    const sendTo = (method: string, path: string, requestHeaders: Record<string, string>, body?: unknown): Promise<Reply> =>
      sendJson(gateway.baseUrl, method, path, requestHeaders, body).then(statusAndBody);

    beforeAll(async () => {
      gateway = await startTestApp({ AUTH_MODE: 'trusted-header' });
    });
    afterAll(() => gateway.close());

    it('takes the caller from x-user-id, as a human unless x-actor-type says otherwise', async () => {
      const created = await sendTo('POST', '/v1/practices', headers('gina'), { name: 'Gateway Dental' });
      const practiceId = created.body.practiceId as string;
      await sendTo('POST', `/v1/practices/${practiceId}/memberships`, headers('gina'), { userId: 'bot-1', role: 'staff' });

      const byHuman = await sendTo('POST', '/v1/events/append', headers('gina'), practiceEvent(practiceId, 'practice.updated', { name: 'By Gina' }));
      const byAgent = await sendTo('POST', '/v1/events/append', headers('bot-1', 'ai'), userEvent(practiceId, 'u-1', { name: 'Made by AI' }));

      expect(created.status).toBe(201);
      expect(byHuman.status).toBe(201);
      expect(byHuman.body).toMatchObject({ actorType: 'human', actorId: 'gina' });
      expect(byAgent.status).toBe(201);
      expect(byAgent.body).toMatchObject({ actorType: 'ai', actorId: 'bot-1' });
      const read = await sendTo('GET', `/v1/events/aggregate/${practiceId}/practice/${practiceId}`, headers('gina'));
      expect(read.body.events.map((e: StoredEvent) => e.eventType)).toEqual([
        'practice.created',
        'membership.created',
        'membership.created',
        'practice.updated',
      ]);
    });

    it.each([
      ['no x-user-id', { 'content-type': 'application/json' }],
      ['an empty x-user-id', headers('')],
      ['an x-user-id over 255 characters', headers('u'.repeat(256))],
      ['an unknown x-actor-type', headers('gina', 'robot')],
      ['only a bearer token', { 'content-type': 'application/json', authorization: `Bearer ${jwt({ sub: 'gina' })}` }],
    ])('answers 401 UNAUTHENTICATED to %s', async (_label, requestHeaders) => {
      const reply = await sendTo('POST', '/v1/practices', requestHeaders, { name: 'Nope' });

      expectError(reply, 401, 'UNAUTHENTICATED');
    });
  });
});
