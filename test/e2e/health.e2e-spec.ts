import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { PG_POOL } from '../../src/database/database.module.js';
import { sendJson } from '../support/http.js';
import { proxied, type TcpProxy } from '../support/tcp-proxy.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const OPERATOR = 'ops';

describe('GET /health', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp({ OPERATOR_USER_IDS: OPERATOR });
  });
  afterAll(() => testApp.close());

  it('answers 200 with the database up', async () => {
    const response = await fetch(`${testApp.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
  });

  it('is ready with the database up and this process\'s workers holding their leases; /health is the same check', async () => {
    const ready = await fetch(`${testApp.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, workers: { status: 'up' } } });
    expect(await (await fetch(`${testApp.baseUrl}/health`)).json()).toMatchObject({ details: { workers: { status: 'up' } } });
  });

  it('reports no workers for a web process, which runs none', async () => {
    const web = await startTestApp({ ROLE: 'web' });
    try {
      const body = (await (await fetch(`${web.baseUrl}/health/ready`)).json()) as { details: Record<string, unknown> };
      expect(Object.keys(body.details)).toEqual(['database']);
    } finally {
      await web.close();
    }
  });

  it('answers 503 naming the database while every connection of the app’s pool is stuck, and 200 once one is free', async () => {
    const web = await startTestApp({ ROLE: 'web', DB_POOL_SIZE: '2' });
    const practice = await createPractice(web, 'olga');
    const locker = new pg.Client({ connectionString: web.db.url });
    await locker.connect();
    try {
      expect((await fetch(`${web.baseUrl}/health/ready`)).status).toBe(200);
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE reservations IN ACCESS EXCLUSIVE MODE');
      // Both of the pool's connections wait on the lock, as they would on a half-open socket.
      const stuck = [1, 2].map(() => fetch(`${web.baseUrl}/v1/practices/${practice}/reservations`, { headers: web.as('olga') }));
      await new Promise((resolve) => setTimeout(resolve, 300));

      const response = await fetch(`${web.baseUrl}/health/ready`);

      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        error: { details: { error: { database: { status: 'down', message: 'no answer within 1500 ms' } } } },
      });
      await locker.query('COMMIT');
      expect((await Promise.all(stuck)).map((reply) => reply.status)).toEqual([200, 200]);
      expect((await fetch(`${web.baseUrl}/health/ready`)).status).toBe(200);
    } finally {
      await locker.end();
      await web.close();
    }
  });

  it('sends one database check for probes that arrive together: a flood of them holds one connection of the pool, not one each', async () => {
    // Two connections: the subject keys' LISTEN keeps one, the other serves the requests.
    const web = await startTestApp({ ROLE: 'web', DB_POOL_SIZE: '2' });
    const practice = await createPractice(web, 'olga');
    const pool = web.app.get<pg.Pool>(PG_POOL);
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    let checks = 0;
    (pool as { query: unknown }).query = (...args: unknown[]) => {
      if (String(args[0]).includes('transaction_read_only')) checks++;
      return query(...args);
    };
    const locker = new pg.Client({ connectionString: web.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE reservations IN ACCESS EXCLUSIVE MODE');
      // The pool's one free connection waits on the lock: every check queues for it until its 1.5 s run out.
      const stuck = fetch(`${web.baseUrl}/v1/practices/${practice}/reservations`, { headers: web.as('olga') });
      await new Promise((resolve) => setTimeout(resolve, 300));

      const probes = await Promise.all(Array.from({ length: 30 }, () => fetch(`${web.baseUrl}/health/ready`)));

      expect(probes.map((probe) => probe.status)).toEqual(Array.from({ length: 30 }, () => 503));
      expect({ checks, waiting: pool.waitingCount }).toEqual({ checks: 1, waiting: 1 });
      await locker.query('COMMIT');
      expect((await stuck).status).toBe(200);
      // Nothing is kept once a check ends: the next probe asks again, and sees the pool free.
      expect((await fetch(`${web.baseUrl}/health/ready`)).status).toBe(200);
      expect(checks).toBe(2);
    } finally {
      await locker.end();
      await web.close();
    }
  });

  it('answers 503 naming the database, in the common error shape, when PostgreSQL refuses connections', async () => {
    const admin = new pg.Client({ connectionString: process.env.CHRONICLE_TEST_ADMIN_URL });
    await admin.connect();
    const database = testApp.db.name;
    try {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database]);
      const response = await fetch(`${testApp.baseUrl}/health`);
      expect(response.status).toBe(503);
      // Alive all the same: an orchestrator must not restart a process for its database's outage.
      const live = await fetch(`${testApp.baseUrl}/health/live`);
      expect({ status: live.status, body: await live.json() }).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await response.json()).toMatchObject({
        error: { code: 'SERVICE_UNAVAILABLE', details: { status: 'error', error: { database: { status: 'down' } } } },
      });
    } finally {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
  });

  it('serves the OpenAPI document listing the health route', async () => {
    const response = await fetch(`${testApp.baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toContain('/health');
  });

  it('declares every path parameter of every route, Idempotency-Key on every write, and If-Match where commands honour it', async () => {
    type Parameter = { name: string; in: string };
    const document = (await (await fetch(`${testApp.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
    };
    const undeclared: string[] = [];
    const withoutKey: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const parameters = operation.parameters ?? [];
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
          if (!parameters.some((p) => p.in === 'path' && p.name === name)) undeclared.push(`${method} ${path} {${name}}`);
        }
        if (method !== 'get' && !parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) withoutKey.push(`${method} ${path}`);
      }
    }
    expect({ undeclared, withoutKey }).toEqual({ undeclared: [], withoutKey: [] });
    const headersOf = (path: string, method: string) =>
      (document.paths[path][method].parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect(headersOf('/v1/practices/{practiceId}/reservations/{reservationId}/confirm', 'post')).toEqual(expect.arrayContaining(['If-Match']));
    expect(headersOf('/v1/events/append', 'post')).toEqual(expect.arrayContaining(['If-Match', 'Idempotency-Key']));
  });

  it('documents the answer each events and projection admin route gives to a request it refuses', async () => {
    const document = (await (await fetch(`${testApp.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    const practice = await createPractice(testApp, 'olga');
    const send = (user: string, method: string, path: string, body?: unknown) =>
      sendJson(testApp.baseUrl, method, path, testApp.as(user), body).then((reply) => reply.status);
    const id = randomUUID();
    const append = (aggregateType: string, aggregateId: string, eventType: string, payload: object) =>
      send('olga', 'POST', '/v1/events/append', { practiceId: practice, aggregateType, aggregateId, eventType, payload });
    const answers: [string, string, () => Promise<number>][] = [
      ['post', '/v1/events/append', () =>
        append('reservation', id, 'reservation.created', { reservationId: id, ...stay(400), createdAt: new Date().toISOString() })],
      ['post', '/v1/events/append', () =>
        append('practice', practice, 'membership.role_changed', { userId: 'nobody', role: 'staff', previousRole: 'viewer' })],
      ['get', '/v1/events/type/{practiceId}/{eventType}', () =>
        send('olga', 'GET', `/v1/events/type/${practice}/practice.created?cursor=nope`)],
      ['get', '/v1/admin/projections/{name}', () => send(OPERATOR, 'GET', '/v1/admin/projections/nope')],
      ['post', '/v1/admin/projections/{name}/pause', () => send(OPERATOR, 'POST', '/v1/admin/projections/nope/pause')],
      ['post', '/v1/admin/projections/{name}/resume', () => send(OPERATOR, 'POST', '/v1/admin/projections/nope/resume')],
      ['post', '/v1/admin/projections/{name}/rebuild', () => send(OPERATOR, 'POST', '/v1/admin/projections/nope/rebuild')],
      ['post', '/v1/admin/projections/{name}/replay', () =>
        send(OPERATOR, 'POST', '/v1/admin/projections/occupancy/replay', { fromPosition: 999_999_999 })],
      ['post', '/v1/admin/dead-letters/{id}/retry', () => send(OPERATOR, 'POST', '/v1/admin/dead-letters/999999/retry')],
    ];
    const undocumented: string[] = [];
    for (const [method, path, answer] of answers) {
      const status = String(await answer());
      if (!Object.keys(document.paths[path][method].responses ?? {}).includes(status)) undocumented.push(`${status} ${method} ${path}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('documents 401 and 429 on every route that needs a caller, and neither on public ones', async () => {
    type Operation = { security?: unknown[]; responses?: Record<string, unknown> };
    const document = (await (await fetch(`${testApp.baseUrl}/docs-json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ route: `${method} ${path}`, op })));
    const statusesOf = (op: Operation) => ['401', '429'].filter((status) => op.responses?.[status] !== undefined);
    const guarded = operations.filter(({ op }) => (op.security ?? []).length > 0);
    expect(guarded.length).toBeGreaterThan(40);
    expect(guarded.filter(({ op }) => statusesOf(op).length < 2).map(({ route }) => route)).toEqual([]);
    expect(statusesOf(document.paths['/health'].get)).toEqual([]);
  });
});

describe('GET /health with the database out of reach', () => {
  let app: TestApp;
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    app = await startTestApp({ ROLE: 'web' }, {}, async (db) => {
      const through = await proxied(db.url, 5432);
      proxy = through.proxy;
      return through.url;
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await app.close();
    await proxy?.close();
  });

  it('says "unreachable" to anyone who asks, and leaves the driver\'s text (the server\'s address) to the log', async () => {
    proxy!.cut();
    let response = await fetch(`${app.baseUrl}/health`);
    for (let attempt = 0; attempt < 40 && response.status !== 503; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      response = await fetch(`${app.baseUrl}/health`);
    }
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ error: { details: { error: { database: { status: 'down', message: 'unreachable' } } } } });
    expect(text).not.toContain(String(proxy!.port));
  });
});
