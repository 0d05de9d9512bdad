import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { EVENT_STORE, type EventStore } from '../../src/event-sourcing/index.js';

/**
 * The operator-only JSON routes behind the event browser (/admin), over real HTTP: streams
 * across tenants with filters and cursor paging, a stream's events and one event as the store
 * returns them, correlation chains across tenants, each saga's subscription with its kill
 * switch and dead letters; and the page's own files.
 */
const OPERATOR = 'ops';
const OWNER = 'olga';
const OTHER_OWNER = 'otto';
const SAGA = 'reservation-deposit';

describe('the event browser’s admin API', () => {
  let app: TestApp;
  let practice: string;
  let otherPractice: string;
  let reservation: string;
  let otherReservation: string;

  const call = (method: string, path: string, headers: Record<string, string> | null = app.as(OPERATOR)) =>
    sendJson(app.baseUrl, method, path, headers);
  const book = async (practiceId: string, owner: string, correlationId: string, body: object = stay()): Promise<string> => {
    const headers = { ...app.as(owner), 'x-correlation-id': correlationId };
    const created = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practiceId}/reservations`, headers, body);
    expect(created.status).toBe(201);
    return created.body.reservationId as string;
  };
  const eventually = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}; last seen: ${JSON.stringify(value)}`);
      await sleep(25);
    }
  };
  const streamKeys = (reply: Reply) => (reply.body.streams as { tenantId: string; aggregateType: string; aggregateId: string }[]).map((s) => `${s.tenantId}/${s.aggregateType}/${s.aggregateId}`);

  beforeAll(async () => {
    app = await startTestApp({ OPERATOR_USER_IDS: OPERATOR, FAKE_PROVIDER_DELAY_MS: '50' });
    practice = await createPractice(app, OWNER);
    otherPractice = await createPractice(app, OTHER_OWNER, {}, 'Other Dental');
    reservation = await book(practice, OWNER, 'shared-process');
    otherReservation = await book(otherPractice, OTHER_OWNER, 'shared-process');
  });
  afterAll(() => app.close());

  describe('who may call it', () => {
    const routes = (): [string, string][] => [
      ['GET', '/v1/admin/streams'],
      ['GET', `/v1/admin/streams/${practice}/reservation/${reservation}`],
      ['GET', `/v1/admin/events/${randomUUID()}`],
      ['GET', '/v1/admin/correlations/shared-process'],
      ['GET', '/v1/admin/sagas/subscriptions'],
      ['POST', `/v1/admin/sagas/${SAGA}/pause`],
      ['POST', `/v1/admin/sagas/${SAGA}/resume`],
      ['POST', '/v1/admin/sagas/dead-letters/1/retry'],
    ];

    it('refuses a practice owner, even about their own practice: 403 OPERATORS_ONLY', async () => {
      for (const [method, path] of routes()) {
        const reply = await call(method, path, app.as(OWNER));
        expect({ method, path, status: reply.status, code: reply.body?.error?.code }).toEqual({ method, path, status: 403, code: 'OPERATORS_ONLY' });
      }
      const own = await call('GET', `/v1/admin/streams?tenant=${practice}`, app.as(OWNER));
      expectError(own, 403, 'OPERATORS_ONLY');
    });

    it('refuses a caller without a token: 401 UNAUTHENTICATED', async () => {
      for (const [method, path] of routes()) {
        const reply = await call(method, path, null);
        expect({ method, path, status: reply.status, code: reply.body?.error?.code }).toEqual({ method, path, status: 401, code: 'UNAUTHENTICATED' });
      }
    });

    it('serves the page and its files to anyone: they hold no data', async () => {
      const page = await fetch(`${app.baseUrl}/admin`);
      const html = await page.text();
      expect({ status: page.status, type: page.headers.get('content-type') }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      // Every script is a file of the app's (helmet's policy allows no inline script).
      expect([...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map(([, attributes, body]) => ({ attributes, body }))).toEqual([
        { attributes: ' type="module" src="/admin/app.js"', body: '' },
      ]);
      for (const [path, type] of [['/admin/app.js', 'text/javascript; charset=utf-8'], ['/admin/app.css', 'text/css; charset=utf-8']]) {
        const file = await fetch(`${app.baseUrl}${path}`);
        expect({ path, status: file.status, type: file.headers.get('content-type'), length: (await file.text()).length > 100 }).toEqual({ path, status: 200, type, length: true });
      }
    });
  });

  describe('GET /v1/admin/streams', () => {
    it('lists every tenant’s streams in key order, with their version', async () => {
      const reply = await call('GET', '/v1/admin/streams');

      expect(reply.status).toBe(200);
      const keys = streamKeys(reply);
      expect(keys).toEqual(expect.arrayContaining([`${practice}/practice/${practice}`, `${practice}/reservation/${reservation}`, `${otherPractice}/reservation/${otherReservation}`]));
      expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : 1)));
      expect(reply.body.streams).toContainEqual({ tenantId: practice, aggregateType: 'reservation', aggregateId: reservation, version: 1, lastRecordedAt: expect.any(String) });
      expect(reply.body.nextCursor).toBeNull();
    });

    it('filters by tenant, aggregate type and id prefix (taken literally)', async () => {
      const ofTenant = streamKeys(await call('GET', `/v1/admin/streams?tenant=${otherPractice}`));
      expect(ofTenant).toEqual([`${otherPractice}/practice/${otherPractice}`, `${otherPractice}/reservation/${otherReservation}`]);

      const reservations = streamKeys(await call('GET', `/v1/admin/streams?tenant=${practice}&type=reservation`));
      expect(reservations).toEqual([`${practice}/reservation/${reservation}`]);

      const byPrefix = streamKeys(await call('GET', `/v1/admin/streams?type=reservation&idPrefix=${reservation.slice(0, 8)}`));
      expect(byPrefix).toEqual([`${practice}/reservation/${reservation}`]);
      expect(streamKeys(await call('GET', `/v1/admin/streams?idPrefix=${encodeURIComponent('%')}`))).toEqual([]);
      expect(streamKeys(await call('GET', `/v1/admin/streams?tenant=no-such-tenant`))).toEqual([]);
    });

    it('pages with a cursor: every stream once, as in one page', async () => {
      const whole = streamKeys(await call('GET', '/v1/admin/streams?limit=500'));
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const reply: Reply = await call('GET', `/v1/admin/streams?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(reply.status).toBe(200);
        expect(reply.body.streams.length).toBeLessThanOrEqual(2);
        paged.push(...streamKeys(reply));
        cursor = reply.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(whole);
      expect(whole.length).toBeGreaterThan(2);
    });

    it.each([
      ['limit=0', 'VALIDATION_FAILED'],
      ['limit=501', 'VALIDATION_FAILED'],
      ['limit=two', 'VALIDATION_FAILED'],
      ['tenant=', 'VALIDATION_FAILED'],
      ['tenant=a&tenant=b', 'VALIDATION_FAILED'],
      [`idPrefix=${'x'.repeat(256)}`, 'VALIDATION_FAILED'],
      ['owner=olga', 'VALIDATION_FAILED'],
      ['cursor=not-a-cursor', 'INVALID_CURSOR'],
      [`cursor=${Buffer.from('[1,2,3]').toString('base64url')}`, 'INVALID_CURSOR'],
      ['tenant=%00', 'UNSUPPORTED_CHARACTER'],
    ])('answers 400 to %s', async (queryString, code) => {
      expectError(await call('GET', `/v1/admin/streams?${queryString}`), 400, code);
    });
  });

  describe('GET /v1/admin/streams/:tenant/:type/:id', () => {
    it('returns the stream’s events with data and metadata, as the events API reads them from the store', async () => {
      const reply = await call('GET', `/v1/admin/streams/${practice}/reservation/${reservation}`);

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ stream: { tenantId: practice, aggregateType: 'reservation', aggregateId: reservation }, version: 1, nextFromVersion: null });
      const [created] = reply.body.events;
      expect(created).toEqual({
        eventId: expect.any(String),
        position: expect.any(Number),
        transactionId: expect.any(String),
        tenantId: practice,
        aggregateType: 'reservation',
        aggregateId: reservation,
        version: 1,
        type: 'reservation.created',
        schemaVersion: 1,
        data: expect.objectContaining({ reservationId: reservation, guestName: stay().guestName }),
        metadata: expect.objectContaining({ actor: { type: 'human', id: OWNER }, correlationId: 'shared-process', commandId: expect.any(String) }),
        occurredAt: expect.any(String),
        recordedAt: expect.any(String),
      });
      const viaEventsApi = await sendJson(app.baseUrl, 'GET', `/v1/events/aggregate/${practice}/reservation/${reservation}`, app.as(OWNER));
      expect(viaEventsApi.body.events.map((e: { id: string; payload: unknown }) => ({ id: e.id, payload: e.payload }))).toEqual([{ id: created.eventId, payload: created.data }]);
    });

    it('pages by version', async () => {
      const path = `/v1/practices/${practice}/reservations/${reservation}`;
      expect((await sendJson(app.baseUrl, 'POST', `${path}/change`, app.as(OWNER), { checkInDate: stay().checkInDate, nights: 3 })).status).toBe(200);
      expect((await sendJson(app.baseUrl, 'POST', `${path}/confirm`, app.as(OWNER))).status).toBe(200);
      const stream = `/v1/admin/streams/${practice}/reservation/${reservation}`;

      const first = await call('GET', `${stream}?limit=2`);
      const rest = await call('GET', `${stream}?fromVersion=${first.body.nextFromVersion}&limit=2`);

      expect(first.body.events.map((e: { version: number }) => e.version)).toEqual([1, 2]);
      expect({ versions: rest.body.events.map((e: { version: number }) => e.version), next: rest.body.nextFromVersion, version: rest.body.version }).toEqual({ versions: [3], next: null, version: 3 });
    });

    it('answers a version its own events agree with while the stream grows', async () => {
      const store = app.app.get<EventStore>(EVENT_STORE);
      const stream = { tenantId: randomUUID(), aggregateType: 'user', aggregateId: 'u-1' };
      let writing = true;
      const writer = (async () => {
        for (let i = 0; i < 150; i++) {
          await store.append(stream, [{ type: 'user.created', data: { name: `n${i}` }, metadata: { actor: { type: 'human', id: 'x' } } }]);
        }
        writing = false;
      })();
      const disagreements: string[] = [];
      while (writing) {
        const reply = await call('GET', `/v1/admin/streams/${stream.tenantId}/user/u-1`);
        // 150 events, pages of 200: every answer holds the whole stream as it stood.
        if (reply.status === 200 && reply.body.events.length !== reply.body.version) {
          disagreements.push(`version ${reply.body.version} with ${reply.body.events.length} events`);
        }
      }
      await writer;
      expect(disagreements).toEqual([]);
    });

    it('answers 404 STREAM_NOT_FOUND for a stream without events, and 400 to bad paging', async () => {
      expectError(await call('GET', `/v1/admin/streams/${otherPractice}/reservation/${reservation}`), 404, 'STREAM_NOT_FOUND');
      expectError(await call('GET', `/v1/admin/streams/${practice}/reservation/${reservation}?fromVersion=0`), 400, 'VALIDATION_FAILED');
      expectError(await call('GET', `/v1/admin/streams/${practice}/reservation/${reservation}?limit=1001`), 400, 'VALIDATION_FAILED');
    });
  });

  describe('GET /v1/admin/events/:eventId', () => {
    it('returns one event of any tenant, as the stream shows it', async () => {
      const [event] = (await call('GET', `/v1/admin/streams/${otherPractice}/reservation/${otherReservation}`)).body.events;

      const reply = await call('GET', `/v1/admin/events/${event.eventId}`);

      expect(reply).toMatchObject({ status: 200, body: { event } });
    });

    it('answers 400 INVALID_EVENT_ID to what is no UUID, and 404 EVENT_NOT_FOUND to an unknown one', async () => {
      expectError(await call('GET', '/v1/admin/events/42'), 400, 'INVALID_EVENT_ID');
      expectError(await call('GET', `/v1/admin/events/${randomUUID()}`), 404, 'EVENT_NOT_FOUND');
    });
  });

  describe('GET /v1/admin/correlations/:correlationId', () => {
    it('finds the process in every tenant whose events carry the id, each chain apart', async () => {
      const reply = await call('GET', '/v1/admin/correlations/shared-process');

      expect(reply.status).toBe(200);
      const tenants = reply.body.tenants as { tenantId: string; chain: { kind: string; type: string; aggregateId: string }[] }[];
      expect(tenants.map((t) => t.tenantId).sort()).toEqual([practice, otherPractice].sort());
      const other = tenants.find((t) => t.tenantId === otherPractice)!;
      expect(other.chain.map(({ kind, type, aggregateId }) => ({ kind, type, aggregateId }))).toEqual([{ kind: 'event', type: 'reservation.created', aggregateId: otherReservation }]);
    });

    it('keeps to one tenant when asked, and answers 404 CORRELATION_NOT_FOUND where no event carries it', async () => {
      const one = await call('GET', `/v1/admin/correlations/shared-process?tenant=${otherPractice}`);
      expect(one.body.tenants.map((t: { tenantId: string }) => t.tenantId)).toEqual([otherPractice]);

      expectError(await call('GET', '/v1/admin/correlations/never-used'), 404, 'CORRELATION_NOT_FOUND');
      expectError(await call('GET', '/v1/admin/correlations/shared-process?tenant=no-such-tenant'), 404, 'CORRELATION_NOT_FOUND');
      expectError(await call('GET', '/v1/admin/correlations/shared-process?tenant='), 400, 'VALIDATION_FAILED');
    });

    it('says when it shows only the first 20 tenants, and when a chain goes on past its first 1,000 events', async () => {
      const store = app.app.get<EventStore>(EVENT_STORE);
      const actor = { type: 'human', id: OWNER } as const;
      const correlationId = `shared-${randomUUID()}`;
      const tenants = Array.from({ length: 21 }, () => randomUUID()).sort();
      for (const tenantId of tenants) {
        await store.append({ tenantId, aggregateType: 'user', aggregateId: 'u-1' }, [{ type: 'user.created', data: { name: 'n' }, metadata: { actor, correlationId } }]);
      }
      const many = await call('GET', `/v1/admin/correlations/${correlationId}`);
      expect({ tenants: many.body.tenants.map((t: { tenantId: string }) => t.tenantId), more: many.body.moreTenants }).toEqual({ tenants: tenants.slice(0, 20), more: true });
      expect(many.body.tenants.every((t: { truncated: boolean }) => t.truncated === false)).toBe(true);

      const long = `long-${randomUUID()}`;
      // An append takes at most 1,000 events.
      for (const [aggregateId, count] of [['u-2', 1000], ['u-3', 1]] as const) {
        const events = Array.from({ length: count }, (_, i) => ({ type: 'user.created', data: { name: `n${i}` }, metadata: { actor, correlationId: long } }));
        await store.append({ tenantId: tenants[0], aggregateType: 'user', aggregateId }, events);
      }
      const cut = await call('GET', `/v1/admin/correlations/${long}`);
      expect({ links: cut.body.tenants[0].chain.length, truncated: cut.body.tenants[0].truncated, more: cut.body.moreTenants }).toEqual({ links: 1000, truncated: true, more: false });
    });
  });

  describe('sagas’ subscriptions', () => {
    const report = async () => {
      const reply = await call('GET', '/v1/admin/sagas/subscriptions');
      expect(reply.status).toBe(200);
      return (reply.body.sagas as { name: string }[]).find((s) => s.name === SAGA) as Record<string, unknown>;
    };

    it('reports each saga with its status, kill switch, lag and instances', async () => {
      const caughtUp = await eventually('the saga to catch up', report, (r) => r.lagEvents === 0);

      expect(caughtUp).toEqual({
        name: SAGA,
        subscription: `saga:${SAGA}`,
        handles: expect.arrayContaining(['reservation.created', 'payment.captured']),
        status: 'running',
        paused: false,
        lastError: null,
        lagEvents: 0,
        lagSeconds: 0,
        deadLetters: 0,
        activeInstances: 0,
      });
    });

    it('pauses and resumes a saga: paused, it lags behind; resumed, it catches up', async () => {
      const paused = await call('POST', `/v1/admin/sagas/${SAGA}/pause`);
      expect(paused).toMatchObject({ status: 200, body: { name: SAGA, paused: true, status: 'running' } });

      await book(practice, OWNER, 'while-paused', { ...stay(), deposit: { amount: 5000, currency: 'EUR' } });
      await sleep(300);
      expect(await report()).toMatchObject({ paused: true, lagEvents: expect.any(Number), activeInstances: 0 });
      expect((await report()).lagEvents).toBeGreaterThan(0);

      const resumed = await call('POST', `/v1/admin/sagas/${SAGA}/resume`);
      expect(resumed).toMatchObject({ status: 200, body: { name: SAGA, paused: false } });
      await eventually('the saga to catch up', report, (r) => r.lagEvents === 0);
    });

    it('answers 404 SAGA_NOT_FOUND for a saga nobody registered', async () => {
      expectError(await call('POST', '/v1/admin/sagas/no-such-saga/pause'), 404, 'SAGA_NOT_FOUND');
      expectError(await call('POST', '/v1/admin/sagas/no-such-saga/resume'), 404, 'SAGA_NOT_FOUND');
    });

    it('retries a saga’s dead letter: the stopped saga runs again from the event it could not handle', async () => {
      const reservationId = randomUUID();
      await app.db.pool.query(`ALTER TABLE saga_instances ADD CONSTRAINT refuse_one CHECK (instance_key <> '${reservationId}')`);
      try {
        await book(practice, OWNER, 'poisoned', { ...stay(), reservationId, deposit: { amount: 5000, currency: 'EUR' } });
        const stopped = await eventually('the saga to stop', report, (r) => r.status === 'stopped');
        expect(stopped).toMatchObject({ deadLetters: 1, lastError: expect.stringContaining('refuse_one') });
        const letters = (await call('GET', '/v1/admin/dead-letters')).body.deadLetters as { id: number; projection: string; eventType: string }[];
        const letter = letters.find((l) => l.projection === `saga:${SAGA}`)!;
        expect(letter).toMatchObject({ eventType: 'reservation.created', stream: `${practice}/reservation/${reservationId}` });
      } finally {
        await app.db.pool.query(`ALTER TABLE saga_instances DROP CONSTRAINT refuse_one`);
      }
      const [letter] = ((await call('GET', '/v1/admin/dead-letters')).body.deadLetters as { id: number; projection: string }[]).filter((l) => l.projection === `saga:${SAGA}`);

      const retried = await call('POST', `/v1/admin/sagas/dead-letters/${letter.id}/retry`);

      expect(retried).toMatchObject({ status: 200, body: { id: letter.id, projection: `saga:${SAGA}`, retriedAt: expect.any(String) } });
      const running = await eventually('the saga to run again and catch up', report, (r) => r.status === 'running' && r.lagEvents === 0);
      expect(running).toMatchObject({ deadLetters: 0, lastError: null });
      const instances = await call('GET', `/v1/admin/sagas?type=${SAGA}`);
      expect(instances.body.sagas.map((s: { key: string }) => s.key)).toContain(reservationId);
    });

    it('retries only sagas’ dead letters there: 404 DEAD_LETTER_NOT_FOUND otherwise', async () => {
      expectError(await call('POST', '/v1/admin/sagas/dead-letters/999999/retry'), 404, 'DEAD_LETTER_NOT_FOUND');
      expectError(await call('POST', '/v1/admin/sagas/dead-letters/abc/retry'), 400, 'INVALID_ID');
    });
  });
});
