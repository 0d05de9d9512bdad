import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Bad input on every route gets a clear 4xx in the one error shape — never a 500, never a
 * hung request — and after every refused request the store and the read models are exactly
 * as they were.
 */

const PRACTICE_ID = '5d1c0f4e-0b1a-4c55-8d0e-6b4f3a2c1e10';

interface Attempt {
  readonly method: string;
  readonly path: string;
  /** Sent as is when a string, as JSON otherwise. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface Reply {
  readonly status: number;
  readonly contentType: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by the assertions
  readonly body: any;
}

const WRITE_ROUTES: readonly { readonly name: string; readonly method: string; readonly path: string; readonly valid: object }[] = [
  { name: 'POST /v1/practices', method: 'POST', path: '/v1/practices', valid: { name: 'New practice' } },
  { name: 'PATCH /v1/practices/:id', method: 'PATCH', path: `/v1/practices/${PRACTICE_ID}`, valid: { name: 'Renamed' } },
  {
    name: 'POST …/memberships',
    method: 'POST',
    path: `/v1/practices/${PRACTICE_ID}/memberships`,
    valid: { userId: 'newcomer', role: 'viewer' },
  },
  { name: 'PATCH …/memberships/:userId', method: 'PATCH', path: `/v1/practices/${PRACTICE_ID}/memberships/sam`, valid: { role: 'admin' } },
  {
    name: 'POST /v1/events/append',
    method: 'POST',
    path: '/v1/events/append',
    valid: { practiceId: PRACTICE_ID, aggregateType: 'practice', aggregateId: PRACTICE_ID, eventType: 'practice.updated', payload: { name: 'X' } },
  },
];

const appendOf = (fields: object): Attempt => ({ method: 'POST', path: '/v1/events/append', body: { ...WRITE_ROUTES[4].valid, ...fields } });
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('Bad input', () => {
  let app: TestApp;
  let baseline: unknown;

  /** The whole store and every read model, to prove a refused request wrote nothing. */
  const storeState = async () => {
    const query = async (sql: string) => (await app.db.pool.query(sql)).rows;
    return {
      events: await query(`SELECT event_id, version, type, data FROM events ORDER BY position`),
      snapshots: await query(`SELECT aggregate_id, version FROM snapshots ORDER BY aggregate_id`),
      practices: await query(`SELECT practice_id, name, version FROM practices ORDER BY practice_id`),
      members: await query(`SELECT practice_id, user_id, role FROM practice_members ORDER BY practice_id, user_id`),
    };
  };

  const send = async ({ method, path, body, headers }: Attempt): Promise<Reply> => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: headers ?? app.as('alice'),
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), body: text ? JSON.parse(text) : null };
  };

  /** Sends the attempt, expects the error (any 4xx when status is omitted), and that nothing was written. */
  const refused = async (attempt: Attempt, status?: number, code?: string): Promise<Reply> => {
    const reply = await send(attempt);
    const seen = { route: `${attempt.method} ${attempt.path.slice(0, 80)}`, status: reply.status, code: reply.body?.error?.code };
    expect(seen).toEqual({ ...seen, status: status ?? expect.any(Number), code: code ?? expect.any(String) });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(reply.body).toEqual({ error: { code: expect.any(String), message: expect.any(String), details: expect.any(Object) } });
    expect(await storeState()).toEqual(baseline);
    return reply;
  };

  const violatedFields = (reply: Reply): string[] =>
    ((reply.body.error.details.violations ?? []) as { field: string }[]).map((v) => v.field).sort();

  beforeAll(async () => {
    app = await startTestApp();
    const created = await send({ method: 'POST', path: '/v1/practices', body: { name: 'Harbour Dental', practiceId: PRACTICE_ID } });
    expect(created.status).toBe(201);
    const added = await send({ method: 'POST', path: `/v1/practices/${PRACTICE_ID}/memberships`, body: { userId: 'sam', role: 'staff' } });
    expect(added.status).toBe(201);
    baseline = await storeState();
  });
  afterAll(() => app.close());

  describe('when the body is not valid JSON', () => {
    it.each(WRITE_ROUTES)('answers 400 MALFORMED_JSON on $name', async (route) => {
      for (const body of ['{"name":', '{name: "x"}', "{'name':'x'}", '{"name":"x",}', '{"name":"x"}}', 'undefined', '\u00ff\u00fe']) {
        await refused({ method: route.method, path: route.path, body }, 400, 'MALFORMED_JSON');
      }
    });

    it.each(WRITE_ROUTES)('answers 400 MALFORMED_JSON to an empty JSON body on $name', async (route) => {
      await refused({ method: route.method, path: route.path, body: '' }, 400, 'MALFORMED_JSON');
    });

    it('answers 400 MALFORMED_JSON to a prototype-poisoning body', async () => {
      await refused({ method: 'POST', path: '/v1/practices', body: '{"name":"x","__proto__":{"isAdmin":true}}' }, 400, 'MALFORMED_JSON');
      await refused(
        { method: 'POST', path: '/v1/practices', body: '{"name":"x","constructor":{"prototype":{"isAdmin":true}}}' },
        400,
        'MALFORMED_JSON',
      );
    });
  });

  describe('when the body is JSON but not an object', () => {
    it.each(WRITE_ROUTES)('answers 400 VALIDATION_FAILED on $name', async (route) => {
      for (const body of ['[]', '[{"name":"x"}]', 'null', '"name"', '42', 'true']) {
        await refused({ method: route.method, path: route.path, body }, 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('when a field has the wrong type or size', () => {
    const long = (n: number) => 'x'.repeat(n);
    it.each([
      ['POST /v1/practices', '/v1/practices', 'POST', { name: 123 }, 'name'],
      ['POST /v1/practices', '/v1/practices', 'POST', { name: null }, 'name'],
      ['POST /v1/practices', '/v1/practices', 'POST', { name: ['Harbour'] }, 'name'],
      ['POST /v1/practices', '/v1/practices', 'POST', { name: { first: 'Harbour' } }, 'name'],
      ['POST /v1/practices', '/v1/practices', 'POST', { name: '' }, 'name'],
      ['POST /v1/practices', '/v1/practices', 'POST', { name: long(201) }, 'name'],
      ['POST /v1/practices', '/v1/practices', 'POST', {}, 'name'],
      ['POST /v1/practices', '/v1/practices', 'POST', { name: 'ok', practiceId: 'not-a-uuid' }, 'practiceId'],
      ['POST /v1/practices', '/v1/practices', 'POST', { name: 'ok', practiceId: 7 }, 'practiceId'],
      ['PATCH /v1/practices/:id', `/v1/practices/${PRACTICE_ID}`, 'PATCH', { name: 5 }, 'name'],
      ['PATCH /v1/practices/:id', `/v1/practices/${PRACTICE_ID}`, 'PATCH', { name: true }, 'name'],
      ['PATCH /v1/practices/:id', `/v1/practices/${PRACTICE_ID}`, 'PATCH', {}, 'name'],
      ['POST …/memberships', `/v1/practices/${PRACTICE_ID}/memberships`, 'POST', { userId: 5, role: 'staff' }, 'userId'],
      ['POST …/memberships', `/v1/practices/${PRACTICE_ID}/memberships`, 'POST', { userId: '', role: 'staff' }, 'userId'],
      ['POST …/memberships', `/v1/practices/${PRACTICE_ID}/memberships`, 'POST', { userId: long(256), role: 'staff' }, 'userId'],
      ['POST …/memberships', `/v1/practices/${PRACTICE_ID}/memberships`, 'POST', { userId: 'eve', role: 'king' }, 'role'],
      ['POST …/memberships', `/v1/practices/${PRACTICE_ID}/memberships`, 'POST', { userId: 'eve', role: 'OWNER' }, 'role'],
      ['POST …/memberships', `/v1/practices/${PRACTICE_ID}/memberships`, 'POST', { role: 'staff' }, 'userId'],
      ['PATCH …/memberships/:userId', `/v1/practices/${PRACTICE_ID}/memberships/sam`, 'PATCH', { role: 1 }, 'role'],
      ['PATCH …/memberships/:userId', `/v1/practices/${PRACTICE_ID}/memberships/sam`, 'PATCH', { role: null }, 'role'],
      ['PATCH …/memberships/:userId', `/v1/practices/${PRACTICE_ID}/memberships/sam`, 'PATCH', {}, 'role'],
      ['POST …/reservations', `/v1/practices/${PRACTICE_ID}/reservations`, 'POST', { ...stay(), reservationId: null }, 'reservationId'],
      ['POST …/reservations', `/v1/practices/${PRACTICE_ID}/reservations`, 'POST', { ...stay(), deposit: [] }, 'deposit'],
      [
        'POST …/reservations',
        `/v1/practices/${PRACTICE_ID}/reservations`,
        'POST',
        { ...stay(), deposit: [{ amount: 5000, currency: 'EUR' }] },
        'deposit',
      ],
    ])('answers 400 VALIDATION_FAILED naming the field on %s (%j)', async (_name, path, method, body, field) => {
      const reply = await refused({ method, path, body }, 400, 'VALIDATION_FAILED');

      expect(violatedFields(reply)).toEqual([field]);
      expect(reply.body.error.message).toContain(field);
    });

    it.each([
      [{ payload: 'name=X' }, 'payload'],
      [{ payload: [] }, 'payload'],
      [{ payload: null }, 'payload'],
      [{ aggregateType: 5 }, 'aggregateType'],
      [{ aggregateId: '' }, 'aggregateId'],
      [{ eventType: '' }, 'eventType'],
      [{ eventType: long(101) }, 'eventType'],
      [{ actorType: 'robot' }, 'actorType'],
      [{ actorId: '' }, 'actorId'],
      [{ expectedVersion: '2' }, 'expectedVersion'],
      [{ expectedVersion: -1 }, 'expectedVersion'],
      [{ expectedVersion: 2.5 }, 'expectedVersion'],
      [{ expectedVersion: 2 ** 31 }, 'expectedVersion'],
      [{ eventId: 'not-a-uuid' }, 'eventId'],
    ])('answers 400 VALIDATION_FAILED naming the field on POST /v1/events/append (%j)', async (fields, field) => {
      const reply = await refused(appendOf(fields), 400, 'VALIDATION_FAILED');

      expect(violatedFields(reply)).toEqual([field]);
    });

    it.each([[{ practiceId: 5 }], [{ practiceId: '' }], [{ practiceId: long(256) }], [{ practiceId: undefined }]])(
      'answers 400 VALIDATION_FAILED naming practiceId on POST /v1/events/append (%j)',
      async (fields) => {
        const reply = await refused(appendOf(fields), 400, 'VALIDATION_FAILED');

        expect(reply.body.error.message).toContain('practiceId');
      },
    );
  });

  describe('when the body has fields the route does not know', () => {
    it.each(WRITE_ROUTES)('answers 400 VALIDATION_FAILED naming each of them on $name', async (route) => {
      const body = { ...route.valid, isAdmin: true, tenant: 'other' };

      const reply = await refused({ method: route.method, path: route.path, body }, 400, 'VALIDATION_FAILED');

      expect(violatedFields(reply)).toEqual(['isAdmin', 'tenant']);
      expect(reply.body.error.message).toContain('isAdmin');
    });

    it('answers 400 INVALID_EVENT_PAYLOAD naming unknown and wrong payload fields', async () => {
      const payload = { userId: ['eve'], role: 'owner', extra: { deep: 1 } };

      const reply = await refused(appendOf({ eventType: 'membership.created', payload }), 400, 'INVALID_EVENT_PAYLOAD');

      expect(violatedFields(reply)).toEqual(['extra', 'userId']);
    });
  });

  describe('when the body is over 1 MB', () => {
    it.each(WRITE_ROUTES)('answers 413 PAYLOAD_TOO_LARGE on $name', async (route) => {
      const body = JSON.stringify({ ...route.valid, padding: 'x'.repeat(1024 * 1024) });

      await refused({ method: route.method, path: route.path, body }, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 413 PAYLOAD_TOO_LARGE to a chunked body with no Content-Length', async () => {
      const chunk = new TextEncoder().encode(`"${'x'.repeat(64 * 1024 - 2)}",`);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"padding":['));
          for (let i = 0; i < 24; i++) controller.enqueue(chunk);
          controller.enqueue(new TextEncoder().encode('"x"],"name":"x"}'));
          controller.close();
        },
      });

      const response = await fetch(`${app.baseUrl}/v1/practices`, {
        method: 'POST',
        headers: app.as('alice'),
        body,
        duplex: 'half',
        signal: AbortSignal.timeout(10_000),
      } as RequestInit);

      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await storeState()).toEqual(baseline);
    });
  });

  describe('when the body nests absurdly deep', () => {
    it.each(WRITE_ROUTES)('answers 400 BODY_TOO_DEEP on $name', async (route) => {
      const body = `{${JSON.stringify(route.valid).slice(1, -1)},"n":${nested(100_000)}}`;

      await refused({ method: route.method, path: route.path, body }, 400, 'BODY_TOO_DEEP');
    });

    it('answers 400 BODY_TOO_DEEP to deeply nested arrays inside an event payload', async () => {
      const arrays = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
      const body = JSON.stringify(appendOf({}).body).replace('"payload":{"name":"X"}', `"payload":{"name":"X","n":${arrays}}`);

      await refused({ method: 'POST', path: '/v1/events/append', body }, 400, 'BODY_TOO_DEEP');
    });

    it('still names an unknown payload field nested a little', async () => {
      const body = JSON.stringify(appendOf({}).body).replace('"payload":{"name":"X"}', `"payload":{"name":"X","n":${nested(10)}}`);

      const reply = await refused({ method: 'POST', path: '/v1/events/append', body }, 400, 'INVALID_EVENT_PAYLOAD');
      expect(violatedFields(reply)).toEqual(['n']);
    });
  });

  describe('when text holds a NUL character, which PostgreSQL cannot store', () => {
    it.each([
      ['a practice name', { method: 'POST', path: '/v1/practices', body: { name: 'Harbour\u0000Dental' } }],
      ['a new name', { method: 'PATCH', path: `/v1/practices/${PRACTICE_ID}`, body: { name: 'Harbour\u0000' } }],
      ['a member id', { method: 'POST', path: `/v1/practices/${PRACTICE_ID}/memberships`, body: { userId: 'eve\u0000', role: 'staff' } }],
      ['an event payload', appendOf({ payload: { name: '\u0000' } })],
      ['a user event payload', appendOf({ aggregateType: 'user', aggregateId: 'u-1', eventType: 'user.created', payload: { name: 'U\u0000' } })],
      ['a user aggregate id', appendOf({ aggregateType: 'user', aggregateId: 'u\u0000', eventType: 'user.created', payload: { name: 'U' } })],
      ['the practiceId in the path', { method: 'GET', path: '/v1/practices/%00' }],
      ['the event type in the path', { method: 'GET', path: `/v1/events/type/${PRACTICE_ID}/practice.created%00` }],
      ['the aggregate id in the path', { method: 'GET', path: `/v1/events/aggregate/${PRACTICE_ID}/practice/%00` }],
    ])('answers 400 UNSUPPORTED_CHARACTER to one in %s', async (_label, attempt) => {
      await refused(attempt, 400, 'UNSUPPORTED_CHARACTER');
    });
  });

  describe('when the URL itself is malformed', () => {
    it.each(['/v1/practices/%FF', '/v1/practices/%E0%A4%A', `/v1/events/type/${PRACTICE_ID}/%C0%80`])(
      'answers 400 MALFORMED_URL in the common shape to %s',
      async (path) => {
        await refused({ method: 'GET', path }, 400, 'MALFORMED_URL');
      },
    );

    it.each([
      ['POST', `/v1/practices/${PRACTICE_ID}/reservations/not-a-uuid/confirm`],
      ['GET', `/v1/practices/${PRACTICE_ID}/reservations/not-a-uuid`],
      ['GET', `/v1/practices/${PRACTICE_ID}/reservations/${'5D1C0F4E-0B1A-4C55-8D0E-6B4F3A2C1E10'}/history`],
    ])('answers 400 INVALID_RESERVATION_ID naming reservationId to %s %s', async (method, path) => {
      const reply = await refused({ method, path, body: method === 'POST' ? {} : undefined }, 400, 'INVALID_RESERVATION_ID');

      expect(reply.body.error).toEqual({ code: 'INVALID_RESERVATION_ID', message: 'reservationId must be a UUID in lower case', details: {} });
    });

    it('answers 400 VALIDATION_FAILED to a practiceId longer than 255 characters', async () => {
      await refused({ method: 'GET', path: `/v1/practices/${'p'.repeat(300)}` }, 400, 'VALIDATION_FAILED');
    });

    it('answers 414 URI_TOO_LONG in the common shape to a path parameter over 1,024 characters', async () => {
      await refused({ method: 'GET', path: `/v1/practices/${'p'.repeat(2000)}` }, 414, 'URI_TOO_LONG');
    });
  });

  describe('when the query of events by type is absurd', () => {
    const byType = (query: string): Attempt => ({ method: 'GET', path: `/v1/events/type/${PRACTICE_ID}/practice.created?${query}` });

    it.each(['0', '-1', 'abc', '100000', '1001', '1.5', '1e309', 'Infinity', 'NaN', '', '%20', '9999999999999999999999'])(
      'answers 400 VALIDATION_FAILED naming limit to limit=%s',
      async (limit) => {
        const reply = await refused(byType(`limit=${limit}`), 400, 'VALIDATION_FAILED');

        expect(violatedFields(reply)).toEqual(['limit']);
      },
    );

    it('answers 400 VALIDATION_FAILED to limit given twice', async () => {
      expect(violatedFields(await refused(byType('limit=1&limit=2'), 400, 'VALIDATION_FAILED'))).toEqual(['limit']);
    });

    it.each(['nonsense', '1:', ':1', '1:2:3', '-1:1', '1:1.5', '99999999999999999999:1', '18446744073709551616:0'])(
      'answers 400 INVALID_CURSOR to cursor=%s',
      async (cursor) => {
        await refused(byType(`cursor=${encodeURIComponent(cursor)}`), 400, 'INVALID_CURSOR');
      },
    );

    it('answers 400 VALIDATION_FAILED to a cursor over 64 characters or given twice', async () => {
      await refused(byType(`cursor=${'1'.repeat(65)}`), 400, 'VALIDATION_FAILED');
      await refused(byType('cursor=1:1&cursor=2:2'), 400, 'VALIDATION_FAILED');
    });

    it('answers 400 VALIDATION_FAILED naming an unknown query parameter', async () => {
      expect(violatedFields(await refused(byType('limit=5&offset=10'), 400, 'VALIDATION_FAILED'))).toEqual(['offset']);
    });
  });

  describe('when a header is malformed', () => {
    it.each(['abc', '**', '"1", "2"', 'W/', '"99999999999"'])('answers 400 INVALID_IF_MATCH to If-Match %j', async (ifMatch) => {
      await refused(
        { method: 'PATCH', path: `/v1/practices/${PRACTICE_ID}`, body: { name: 'Renamed' }, headers: { ...app.as('alice'), 'if-match': ifMatch } },
        400,
        'INVALID_IF_MATCH',
      );
    });

    it('answers 400 INVALID_HEADER to an x-correlation-id with spaces', async () => {
      await refused(
        {
          method: 'PATCH',
          path: `/v1/practices/${PRACTICE_ID}`,
          body: { name: 'Renamed' },
          headers: { ...app.as('alice'), 'x-correlation-id': 'not ok!' },
        },
        400,
        'INVALID_HEADER',
      );
    });
    it.each(['.', '..'])('answers 400 INVALID_HEADER to the x-correlation-id %j, which no URL can address (the event browser\'s chains)', async (id) => {
      await refused(
        {
          method: 'PATCH',
          path: `/v1/practices/${PRACTICE_ID}`,
          body: { name: 'Renamed' },
          headers: { ...app.as('alice'), 'x-correlation-id': id },
        },
        400,
        'INVALID_HEADER',
      );
    });
  });

  describe('when the content type is not JSON', () => {
    it('answers 415 UNSUPPORTED_MEDIA_TYPE to XML', async () => {
      await refused(
        {
          method: 'POST',
          path: '/v1/practices',
          body: '<practice name="x"/>',
          headers: { ...app.as('alice'), 'content-type': 'application/xml' },
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });

    it('answers 415 to JSON sent as text/plain, and a 4xx to a body with no content type', async () => {
      const { authorization } = app.as('alice');
      await refused(
        { method: 'POST', path: '/v1/practices', body: '{"name":"x"}', headers: { authorization, 'content-type': 'text/plain' } },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      await refused({ method: 'POST', path: '/v1/practices', body: '{"name":"x"}', headers: { authorization } });
    });
  });

  describe('when the body is a form or multipart', () => {
    const asForm = (valid: object) =>
      new URLSearchParams(Object.entries(valid).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]));

    it.each(WRITE_ROUTES)('answers 415 UNSUPPORTED_MEDIA_TYPE to a form on $name', async (route) => {
      const headers = { authorization: app.as('alice').authorization, 'content-type': 'application/x-www-form-urlencoded' };

      await refused({ method: route.method, path: route.path, body: asForm(route.valid).toString(), headers }, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers 415 UNSUPPORTED_MEDIA_TYPE to multipart form data', async () => {
      const form = new FormData();
      form.set('userId', 'mallory');
      form.set('role', 'admin');
      const response = await fetch(`${app.baseUrl}/v1/practices/${PRACTICE_ID}/memberships`, {
        method: 'POST',
        headers: { authorization: app.as('alice').authorization },
        body: form,
        signal: AbortSignal.timeout(10_000),
      });

      expect({ status: response.status, body: await response.json() }).toMatchObject({
        status: 415,
        body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
      });
      expect(await storeState()).toEqual(baseline);
    });

    it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json', 'application/vnd.chronicle.v1+json'])(
      'takes a JSON body sent as %s',
      async (contentType) => {
        const body = { guestId: 'g', guestName: 'G', checkInDate: '2099-01-01', nights: 2 };
        const reply = await send({
          method: 'POST',
          path: '/v1/reservations/validate',
          body,
          headers: { authorization: app.as('alice').authorization, 'content-type': contentType },
        });

        expect({ status: reply.status, body: reply.body }).toEqual({ status: 200, body: { valid: true } });
      },
    );
  });

  describe('when the route does not exist', () => {
    it.each([
      ['GET', '/v1/nope'],
      ['GET', '/v1/practices'],
      ['DELETE', `/v1/practices/${PRACTICE_ID}`],
      ['PUT', `/v1/practices/${PRACTICE_ID}`],
      ['GET', '/v1/events/append'],
      ['POST', `/v1/events/type/${PRACTICE_ID}/practice.created`],
      ['DELETE', `/v1/practices/${PRACTICE_ID}/memberships/sam`],
      ['GET', '/v2/practices'],
    ])('answers 404 NOT_FOUND to %s %s', async (method, path) => {
      await refused({ method, path, headers: { authorization: app.as('alice').authorization } }, 404, 'NOT_FOUND');
    });

    it('answers 404 NOT_FOUND without credentials too', async () => {
      await refused({ method: 'GET', path: '/v1/nope', headers: {} }, 404, 'NOT_FOUND');
    });
  });

  describe('after all of that', () => {
    it('still serves valid requests', async () => {
      const reply = await send({ method: 'GET', path: `/v1/practices/${PRACTICE_ID}` });

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ name: 'Harbour Dental', version: 3 });
    });
  });
});
