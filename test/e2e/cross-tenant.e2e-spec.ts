import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Tenancy at every door: Alice owns practice A and is no member of practice B. Whatever
 * route and ids she tries on B, she gets a 4xx with an error code, never B's data, and B's
 * events stay as they were.
 */

const B_NAME = 'Bravo Secret Clinic';
const B_USER = 'bravo-patient-coordinator';

interface Reply {
  readonly status: number;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by the assertions
  readonly body: any;
}

interface Attempt {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

describe('Another tenant\'s practice', () => {
  let app: TestApp;
  let practiceA: string;
  let practiceB: string;
  let eventsOfB: unknown[];

  const send = async (userId: string, { method, path, body, headers = {} }: Attempt, actorType?: 'human' | 'ai'): Promise<Reply> => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { ...app.as(userId, actorType), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, text, body: text ? JSON.parse(text) : null };
  };

  /** Everything B holds, read by its owner: the stream, its user streams, each type, members, the practice. */
  const everythingOfB = async (): Promise<unknown[]> => {
    const reads = [
      `/v1/events/aggregate/${practiceB}/practice/${practiceB}`,
      `/v1/events/aggregate/${practiceB}/user/${B_USER}`,
      ...['practice.created', 'practice.updated', 'membership.created', 'membership.role_changed', 'user.created'].map(
        (type) => `/v1/events/type/${practiceB}/${type}?limit=1000`,
      ),
      `/v1/practices/${practiceB}/memberships`,
      `/v1/practices/${practiceB}`,
    ];
    return Promise.all(
      reads.map(async (path) => {
        const reply = await send('bob', { method: 'GET', path });
        expect(reply.status).toBe(200);
        return reply.body;
      }),
    );
  };

  const visibleByType = (reads: unknown[]): number =>
    (reads.slice(2, 7) as { events: unknown[] }[]).reduce((sum, page) => sum + page.events.length, 0);

  const expectRefusedWithoutData = (reply: Reply, statuses: number[] = [403]) => {
    expect(statuses).toContain(reply.status);
    expect(reply.body).toEqual({ error: { code: expect.any(String), message: expect.any(String), details: expect.any(Object) } });
    expect(reply.text).not.toContain(B_NAME);
    expect(reply.text).not.toContain(B_USER);
    expect(reply.text).not.toContain('bob');
  };

  const appendTo = (practiceId: string, aggregateType: string, aggregateId: string, eventType: string, payload: object): Attempt => ({
    method: 'POST',
    path: '/v1/events/append',
    body: { practiceId, aggregateType, aggregateId, eventType, payload },
  });

  beforeAll(async () => {
    app = await startTestApp();
    const created = async (owner: string, name: string) => {
      const reply = await send(owner, { method: 'POST', path: '/v1/practices', body: { name } });
      expect(reply.status).toBe(201);
      return reply.body.practiceId as string;
    };
    practiceA = await created('alice', 'Alpha Dental');
    practiceB = await created('bob', B_NAME);
    const asBob = (attempt: Attempt) => send('bob', attempt);
    await asBob({ method: 'POST', path: `/v1/practices/${practiceB}/memberships`, body: { userId: B_USER, role: 'staff' } });
    await asBob({ method: 'PATCH', path: `/v1/practices/${practiceB}/memberships/${B_USER}`, body: { role: 'admin' } });
    await asBob({ method: 'PATCH', path: `/v1/practices/${practiceB}`, body: { name: 'Bravo interim' } });
    await asBob(appendTo(practiceB, 'practice', practiceB, 'practice.updated', { name: B_NAME }));
    await asBob(appendTo(practiceB, 'user', B_USER, 'user.created', { name: B_NAME }));
    await send('alice', { method: 'POST', path: `/v1/practices/${practiceA}/memberships`, body: { userId: 'sam', role: 'staff' } });
    // Reads by type show only transactions older than every open one on the server: wait
    // until all 7 of B's events show there too, so the baseline is complete (pausing between
    // reads: nine at once with no pause could exceed bob's rate limit).
    const deadline = Date.now() + 15_000;
    eventsOfB = await everythingOfB();
    while (visibleByType(eventsOfB) < 7 && Date.now() < deadline) {
      await sleep(50);
      eventsOfB = await everythingOfB();
    }
    const [practiceStream, userStream] = eventsOfB as { events: unknown[] }[];
    expect([practiceStream.events.length, userStream.events.length, visibleByType(eventsOfB)]).toEqual([6, 1, 7]);
  });
  afterAll(() => app.close());

  afterEach(async () => {
    expect(await everythingOfB()).toEqual(eventsOfB);
  });

  describe('when a member of A reads B', () => {
    it.each([
      ['the practice', () => `/v1/practices/${practiceB}`],
      ['its members', () => `/v1/practices/${practiceB}/memberships`],
      ['its practice stream', () => `/v1/events/aggregate/${practiceB}/practice/${practiceB}`],
      ['a user stream of B', () => `/v1/events/aggregate/${practiceB}/user/${B_USER}`],
      ['events by type', () => `/v1/events/type/${practiceB}/practice.created`],
      ['events by type with limit and cursor', () => `/v1/events/type/${practiceB}/membership.created?limit=1000&cursor=0:0`],
      ['B\'s id in another case', () => `/v1/practices/${practiceB.toUpperCase()}`],
    ])('gets 403 NOT_A_MEMBER for %s and none of its data', async (_label, path) => {
      for (const caller of ['alice', 'sam']) {
        const reply = await send(caller, { method: 'GET', path: path() });

        expectRefusedWithoutData(reply);
        expect(reply.body.error.code).toBe('NOT_A_MEMBER');
      }
    });

    it('finds nothing of B when naming B\'s streams under A\'s practiceId', async () => {
      const streams = [
        `/v1/events/aggregate/${practiceA}/practice/${practiceB}`,
        `/v1/events/aggregate/${practiceA}/user/${B_USER}`,
      ];
      for (const path of streams) {
        const reply = await send('alice', { method: 'GET', path });

        expect(reply.status).toBe(200);
        expect(reply.body).toEqual({ events: [] });
      }
    });

    it('sees only A\'s events when reading its own events by type', async () => {
      for (const type of ['practice.created', 'practice.updated', 'membership.created', 'membership.role_changed', 'user.created']) {
        const reply = await send('alice', { method: 'GET', path: `/v1/events/type/${practiceA}/${type}?limit=1000` });

        expect(reply.status).toBe(200);
        expect(reply.text).not.toContain(practiceB);
        expect(reply.text).not.toContain(B_NAME);
        expect(reply.body.events.every((e: { practiceId: string }) => e.practiceId === practiceA)).toBe(true);
      }
    });
  });

  describe('when a member of A writes to B', () => {
    it.each([
      ['renames B', () => ({ method: 'PATCH', path: `/v1/practices/${practiceB}`, body: { name: 'Taken over' } })],
      [
        'renames B with If-Match',
        () => ({ method: 'PATCH', path: `/v1/practices/${practiceB}`, body: { name: 'Taken over' }, headers: { 'if-match': '"7"' } }),
      ],
      [
        'makes herself owner of B',
        () => ({ method: 'POST', path: `/v1/practices/${practiceB}/memberships`, body: { userId: 'alice', role: 'owner' } }),
      ],
      ['adds a viewer to B', () => ({ method: 'POST', path: `/v1/practices/${practiceB}/memberships`, body: { userId: 'spy', role: 'viewer' } })],
      ['promotes herself in B', () => ({ method: 'PATCH', path: `/v1/practices/${practiceB}/memberships/alice`, body: { role: 'owner' } })],
      ['demotes B\'s owner', () => ({ method: 'PATCH', path: `/v1/practices/${practiceB}/memberships/bob`, body: { role: 'viewer' } })],
      ['probes for B\'s members', () => ({ method: 'PATCH', path: `/v1/practices/${practiceB}/memberships/${B_USER}`, body: { role: 'viewer' } })],
      ['appends practice.updated to B', () => appendTo(practiceB, 'practice', practiceB, 'practice.updated', { name: 'Taken over' })],
      ['appends a membership to B', () => appendTo(practiceB, 'practice', practiceB, 'membership.created', { userId: 'alice', role: 'owner' })],
      [
        'appends a role change in B',
        () => appendTo(practiceB, 'practice', practiceB, 'membership.role_changed', { userId: 'bob', role: 'viewer', previousRole: 'owner' }),
      ],
      ['appends a second practice.created to B', () => appendTo(practiceB, 'practice', practiceB, 'practice.created', { name: 'Taken over' })],
      ['appends a user to B', () => appendTo(practiceB, 'user', B_USER, 'user.created', { name: 'Taken over' })],
      ['appends a new user to B', () => appendTo(practiceB, 'user', 'someone-new', 'user.created', { name: 'Taken over' })],
    ])('gets 403 when she %s, and B is unchanged', async (_label, attempt) => {
      for (const caller of ['alice', 'sam']) {
        const reply = await send(caller, attempt() as Attempt);

        expectRefusedWithoutData(reply);
        expect(reply.body.error.code).toBe('NOT_A_MEMBER');
      }
    });

    it('gets 403 as an AI agent too', async () => {
      const reply = await send('alice', appendTo(practiceB, 'practice', practiceB, 'practice.updated', { name: 'Taken over' }), 'ai');

      expectRefusedWithoutData(reply);
    });

    it('cannot reach B\'s practice stream through A\'s practiceId', async () => {
      const reply = await send('alice', appendTo(practiceA, 'practice', practiceB, 'practice.updated', { name: 'Taken over' }));

      expectRefusedWithoutData(reply, [400, 403, 404]);
      expect(reply.body.error.code).toBe('AGGREGATE_ID_MISMATCH');
    });

    it('writes only into A when she names B\'s user under A\'s practiceId', async () => {
      const reply = await send('alice', appendTo(practiceA, 'user', B_USER, 'user.created', { name: 'Alpha copy' }));

      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ practiceId: practiceA, aggregateId: B_USER, version: 1 });
    });

    it('gets 409 PRACTICE_ALREADY_EXISTS, and no ownership, when she creates a practice with B\'s id', async () => {
      const reply = await send('alice', { method: 'POST', path: '/v1/practices', body: { name: 'Taken over', practiceId: practiceB } });

      expectRefusedWithoutData(reply, [409]);
      expect(reply.body.error.code).toBe('PRACTICE_ALREADY_EXISTS');
      expect((await send('alice', { method: 'GET', path: `/v1/practices/${practiceB}` })).status).toBe(403);
    });
  });

  describe('when someone who belongs to no practice tries B', () => {
    it('gets 403 on every route', async () => {
      const attempts: Attempt[] = [
        { method: 'GET', path: `/v1/practices/${practiceB}` },
        { method: 'GET', path: `/v1/practices/${practiceB}/memberships` },
        { method: 'GET', path: `/v1/events/aggregate/${practiceB}/practice/${practiceB}` },
        { method: 'GET', path: `/v1/events/type/${practiceB}/membership.created` },
        { method: 'PATCH', path: `/v1/practices/${practiceB}`, body: { name: 'Taken over' } },
        { method: 'POST', path: `/v1/practices/${practiceB}/memberships`, body: { userId: 'nobody', role: 'owner' } },
        { method: 'PATCH', path: `/v1/practices/${practiceB}/memberships/nobody`, body: { role: 'owner' } },
        appendTo(practiceB, 'practice', practiceB, 'membership.created', { userId: 'nobody', role: 'owner' }),
      ];
      for (const attempt of attempts) expectRefusedWithoutData(await send('nobody', attempt));
    });
  });
});
