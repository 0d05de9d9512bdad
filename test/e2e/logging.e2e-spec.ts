import { Logger } from '@nestjs/common';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The app's logs as a collector reads them: one JSON object a line, the request's ids, tenant
 * and actor on its line, LOG_LEVEL honoured, background components in the same format.
 */

type Line = Record<string, unknown>;

/** What the app writes, kept as written (to search for secrets) and parsed (a line that is not JSON throws). */
const captureLogs = () => {
  const written: string[] = [];
  return {
    destination: { write: (chunk: string) => void written.push(chunk) },
    text: () => written.join(''),
    lines: (): Line[] => written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line),
  };
};
type Logs = ReturnType<typeof captureLogs>;

/** The completion line is written once the answer has gone, so possibly after the client has it. */
const waitForLine = async (logs: Logs, matches: (line: Line) => boolean): Promise<Line> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = logs.lines().find(matches);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no such log line in:\n${logs.text()}`);
    await sleep(20);
  }
};

const completionOf = (requestId: string | null) => (line: Line) =>
  line.msg === 'request completed' && line.requestId === requestId;

/** A background warning on demand: the subscription worker's LISTEN connection, ended by the server. */
const cutWorkersListenConnection = async (app: TestApp): Promise<void> => {
  const { rowCount } = await app.db.pool.query(`
    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = current_database() AND query LIKE 'LISTEN %'`);
  expect(rowCount).toBeGreaterThan(0);
};
/** After an outage: the subscription worker's LISTEN connection is back (its next heartbeat, 1 s). */
const workersListeningAgain = async (app: TestApp): Promise<void> => {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
    const { rowCount } = await app.db.pool.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN chronicle_events'`,
    );
    if (rowCount) return;
  }
  throw new Error('the workers never listened again');
};
const isListenLost = (line: Line) => line.context === 'Subscriptions' && String(line.msg).includes('LISTEN connection lost');

const OWNER = 'olivia';
const STAFF = 'sam';
const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const stay = () => ({ guestId: 'guest-1', guestName: 'Ada Lovelace', checkInDate: day(30), nights: 2 });

describe('Logs', () => {
  describe('at the default level', () => {
    const logs = captureLogs();
    let app: TestApp;
    let practice: string;
    const reservations = () => `/v1/practices/${practice}/reservations`;

    beforeAll(async () => {
      app = await startTestApp({ LOG_LEVEL: 'log' }, { logs: { destination: logs.destination } });
      practice = await createPractice(app, OWNER, { [STAFF]: 'staff' });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('writes one JSON line when a command completes, with its ids, tenant, actor and templated route', async () => {
      const headers = app.as(STAFF);
      const created = await sendJson(app.baseUrl, 'POST', reservations(), headers, stay());
      expect(created.status).toBe(201);

      const requestId = created.headers.get('x-request-id');
      const line = await waitForLine(logs, completionOf(requestId));
      expect(line).toEqual(
        expect.objectContaining({
          level: 'info',
          method: 'POST',
          route: '/v1/practices/:practiceId/reservations',
          status: 201,
          durationMs: expect.any(Number),
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          correlationId: created.headers.get('x-correlation-id'),
          tenant: practice,
          actor: STAFF,
        }),
      );
      expect(logs.lines().filter(completionOf(requestId))).toHaveLength(1);
      expect(logs.text()).not.toContain(headers.authorization.replace('Bearer ', ''));
    });

    it('names the correlation id the caller sent, as the command does', async () => {
      const headers = { ...app.as(STAFF), 'x-correlation-id': 'booking-7' };
      const created = await sendJson(app.baseUrl, 'POST', reservations(), headers, stay());
      expect(created.status).toBe(201);
      expect(created.headers.get('x-correlation-id')).toBe('booking-7');

      const line = await waitForLine(logs, completionOf(created.headers.get('x-request-id')));
      expect(line).toMatchObject({ correlationId: 'booking-7', tenant: practice, actor: STAFF });
    });

    it('logs health checks at debug only, liveness and readiness probes included', async () => {
      for (const path of ['/health', '/health/live', '/health/ready']) expect((await sendJson(app.baseUrl, 'GET', path, null)).status).toBe(200);
      const read = await sendJson(app.baseUrl, 'GET', reservations(), app.as(STAFF));
      await waitForLine(logs, completionOf(read.headers.get('x-request-id')));

      expect(logs.lines().filter((line) => String(line.route).startsWith('/health'))).toEqual([]);
    });

    it('redacts authorization and cookies from whatever logs a request’s headers', async () => {
      const headers = { authorization: 'Bearer secret-token', cookie: 'session=secret-cookie', accept: 'text/plain' };
      new Logger('Probe').warn({ headers, msg: 'headers of a request' });

      const line = await waitForLine(logs, (l) => l.context === 'Probe');
      expect(line.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', accept: 'text/plain' });
      expect(logs.text()).not.toMatch(/secret-token|secret-cookie/);
    });

    it('writes a server error’s stack with the request’s fields, so it is found from the request’s line', async () => {
      const admin = new pg.Client({ connectionString: process.env.CHRONICLE_TEST_ADMIN_URL });
      await admin.connect();
      try {
        // PostgreSQL refuses the app: the request's membership lookup fails, a 503.
        await admin.query(`ALTER DATABASE ${app.db.name} ALLOW_CONNECTIONS false`);
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [app.db.name]);
        const headers = { ...app.as(STAFF), 'x-correlation-id': 'logging-outage-1' };
        const failed = await sendJson(app.baseUrl, 'GET', reservations(), headers);
        expect(failed.status).toBe(503);

        const requestId = failed.headers.get('x-request-id');
        const line = await waitForLine(logs, (l) => l.context === 'Errors' && l.requestId === requestId);
        expect(line).toEqual(expect.objectContaining({ level: 'error', actor: STAFF, actorType: 'human' }));
        expect(line.correlationId).toBe('logging-outage-1');
        expect(String(line.msg)).toMatch(/\n\s+at /);
      } finally {
        await admin.query(`ALTER DATABASE ${app.db.name} ALLOW_CONNECTIONS true`);
        await admin.end();
      }
      await workersListeningAgain(app); // as the other tests found the app
    });

    it('writes a background worker’s warning as JSON too, with no request’s fields', async () => {
      await cutWorkersListenConnection(app);

      const line = await waitForLine(logs, isListenLost);
      const warning = { level: 'warn', context: 'Subscriptions', time: expect.any(String) };
      expect(line).toEqual(expect.objectContaining(warning));
      expect(line).not.toHaveProperty('requestId');
    });
  });

  describe('with LOG_LEVEL=warn', () => {
    const logs = captureLogs();
    let app: TestApp;

    beforeAll(async () => {
      app = await startTestApp({ LOG_LEVEL: 'warn' }, { logs: { destination: logs.destination } });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('writes no info line, and still the warnings', async () => {
      await createPractice(app, OWNER);
      await cutWorkersListenConnection(app);
      await waitForLine(logs, isListenLost);

      const levels = logs.lines().map((line) => line.level);
      expect(levels).toEqual(levels.map(() => expect.stringMatching(/^(warn|error|fatal)$/)));
      expect(logs.lines().filter((line) => line.msg === 'request completed')).toEqual([]);
    });
  });
});
