import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A process that is shutting down still finishes what it is serving, and a request that reaches
 * it meanwhile (here pipelined behind one it is finishing) gets the app's own error shape:
 * 503 SHUTTING_DOWN with Retry-After, never Fastify's body without a code.
 */
const OWNER = 'olivia';

const until = async (condition: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  for (const deadline = Date.now() + 10_000; !(await condition()); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
  }
};

/** The status lines and bodies of the HTTP/1.1 responses in `raw`, in order. */
const responsesIn = (raw: string): { status: number; headers: string; body: string }[] =>
  raw
    .split(/(?=HTTP\/1\.1 \d{3})/)
    .filter(Boolean)
    .map((text) => {
      const [head, body = ''] = text.split('\r\n\r\n');
      return { status: Number(head.slice(9, 12)), headers: head.toLowerCase(), body };
    });

describe('A request that reaches the app while it shuts down', () => {
  let app: TestApp;

  afterAll(async () => {
    await app?.db.drop();
  });

  it('is answered 503 SHUTTING_DOWN with Retry-After, while the request before it finishes', async () => {
    app = await startTestApp();
    const practice = await createPractice(app, OWNER);
    const port = (app.app.getHttpServer().address() as { port: number }).port;
    const request = (path: string) =>
      `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${app.as(OWNER).authorization}\r\nconnection: keep-alive\r\n\r\n`;
    const blocker = new pg.Client({ connectionString: app.db.url });
    await blocker.connect();
    await blocker.query(`BEGIN; LOCK TABLE reservations IN ACCESS EXCLUSIVE MODE`);

    const socket = connect(port, '127.0.0.1');
    let raw = '';
    socket.on('data', (chunk) => (raw += chunk.toString()));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    socket.write(request(`/v1/practices/${practice}/reservations`));
    await until(async () => {
      const { rows } = await blocker.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0;
    }, 'the list to wait on the lock');

    const closing = app.app.close();
    await until(() => !app.app.getHttpServer().listening, 'the server to stop listening');
    socket.write(request('/health/live'));
    await sleep(50);
    await blocker.query('ROLLBACK');
    await blocker.end();
    await ended;
    await closing;

    const [first, second] = responsesIn(raw);
    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    expect(second.headers).toMatch(/\r\nretry-after: 1\r\n/);
    expect(JSON.parse(second.body)).toEqual({ error: { code: 'SHUTTING_DOWN', message: expect.any(String), details: {} } });
  });
});
