import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * PostgreSQL drops the app's connections (a failover, a restart, an operator) while requests
 * run. Those caught in the drop answer 503 DATABASE_UNAVAILABLE with Retry-After, never 500;
 * what was acknowledged stays; the app serves again as soon as PostgreSQL does.
 */
const OWNER = 'olivia';
const PARALLEL = 8;

describe('Database connections lost mid-request', () => {
  let app: TestApp;
  let practice: string;
  /** Holds a lock that the requests queue behind, so the drop surely catches them mid-query. */
  let blocker: pg.Client;

  const reservations = (rest = '') => `/v1/practices/${practice}/reservations${rest}`;
  const create = () => sendJson(app.baseUrl, 'POST', reservations(), app.as(OWNER), stay());
  const list = () => sendJson(app.baseUrl, 'GET', reservations(), app.as(OWNER));

  /**
   * Asked on a connection of its own: inside the blocker's transaction, pg_stat_activity would
   * show the snapshot of its first read in that transaction, forever (if that read came before
   * the requests reached PostgreSQL — a busy machine — they were never seen waiting).
   */
  const backendsWaitingOnLocks = async (): Promise<number> => {
    const { rows } = await app.db.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows[0].n;
  };

  const waitFor = async (condition: () => Promise<boolean>): Promise<void> => {
    for (const deadline = Date.now() + 10_000; !(await condition()); await sleep(10)) {
      if (Date.now() > deadline) throw new Error('the requests never queued behind the lock');
    }
  };

  beforeAll(async () => {
    app = await startTestApp();
    // The test's own pool loses its connections too; they are simply replaced.
    app.db.pool.on('error', () => undefined);
    practice = await createPractice(app, OWNER);
    expect((await create()).status).toBe(201);
    blocker = new pg.Client({ connectionString: app.db.url });
    await blocker.connect();
  });
  afterAll(async () => {
    await blocker.end();
    await app.close();
  });

  it('answers 2xx or 503 with Retry-After to every request, never 500, and serves again afterwards', async () => {
    await blocker.query(`BEGIN; LOCK TABLE reservations IN ACCESS EXCLUSIVE MODE`);
    const requests = Array.from({ length: PARALLEL }, (_, i) => (i % 2 === 0 ? list() : create()));
    await waitFor(async () => (await backendsWaitingOnLocks()) >= PARALLEL / 2);

    await blocker.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await blocker.query(`ROLLBACK`);
    const replies: Reply[] = await Promise.all(requests);

    const unavailable = replies.filter((reply) => reply.status === 503);
    expect(replies.filter((reply) => !(reply.status >= 200 && reply.status < 300) && reply.status !== 503)).toEqual([]);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const reply of unavailable) {
      expectError(reply, 503, 'DATABASE_UNAVAILABLE');
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    const created = replies.filter((reply) => reply.status === 201).map((reply) => reply.body.reservationId as string);
    for (const id of created) {
      expect((await sendJson(app.baseUrl, 'GET', reservations(`/${id}`), app.as(OWNER))).status).toBe(200);
    }
    expect((await create()).status).toBe(201);
    expect((await list()).status).toBe(200);
    // Ready again too, once the worker's next heartbeat (1 s) has got through.
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await fetch(`${app.baseUrl}/health`)).status;
      if (ready !== 200) await sleep(100);
    }
    expect(ready).toBe(200);
  });

  it('answers 503 with Retry-After while PostgreSQL refuses connections to the database, and serves once it takes them', async () => {
    const admin = new pg.Client({ connectionString: process.env.CHRONICLE_TEST_ADMIN_URL });
    await admin.connect();
    const { rows } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    try {
      await admin.query(`ALTER DATABASE ${app.db.name} ALLOW_CONNECTIONS false`);
      // All of the app's connections (the first test's blocker is the test's, not the app's).
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2`, [
        app.db.name,
        rows[0].pid,
      ]);
      for (const reply of [await list(), await create()]) {
        expectError(reply, 503, 'DATABASE_UNAVAILABLE');
        expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    } finally {
      await admin.query(`ALTER DATABASE ${app.db.name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    expect((await create()).status).toBe(201);
    expect((await list()).status).toBe(200);
  });

  it('answers 503 to commands and is not ready while the database takes no writes (a standby after a failover), and serves once it does', async () => {
    const admin = new pg.Client({ connectionString: process.env.CHRONICLE_TEST_ADMIN_URL });
    await admin.connect();
    const { rows } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // The app's connections from now on come up read-only, as on a standby.
    const reconnectAll = () =>
      admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2`, [app.db.name, rows[0].pid]);
    try {
      await admin.query(`ALTER DATABASE ${app.db.name} SET default_transaction_read_only = on`);
      await reconnectAll();
      const created = await create();
      expectError(created, 503, 'DATABASE_UNAVAILABLE');
      const ready = await sendJson(app.baseUrl, 'GET', '/health/ready', {});
      expect({ status: ready.status, database: ready.body.error?.details?.error?.database?.message }).toEqual({
        status: 503,
        database: 'the database takes no writes (a standby, or set read-only)',
      });
      expect((await list()).status).toBe(200); // reads still served
    } finally {
      await admin.query(`ALTER DATABASE ${app.db.name} RESET default_transaction_read_only`);
      await reconnectAll();
      await admin.end();
    }
    expect((await create()).status).toBe(201);
    // Ready again once the workers hold their leases anew (their connections were ended too).
    let ready = 0;
    for (const deadline = Date.now() + 10_000; ready !== 200 && Date.now() < deadline; await sleep(100)) {
      ready = (await sendJson(app.baseUrl, 'GET', '/health/ready', {})).status;
    }
    expect(ready).toBe(200);
  });

  it('answers 503 with Retry-After, and stores nothing, when the server is out of resources (disk full, out of memory)', async () => {
    const stored = async () => (await app.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`)).rows[0].n;
    const before = await stored();
    // As PostgreSQL refuses a write it has no room for: class 53, insufficient resources.
    await app.db.pool.query(`CREATE FUNCTION test_out_of_room() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$`);
    await app.db.pool.query(`CREATE TRIGGER test_out_of_room BEFORE INSERT ON reservations FOR EACH ROW EXECUTE FUNCTION test_out_of_room()`);
    try {
      const refused = await create();
      expectError(refused, 503, 'DATABASE_UNAVAILABLE');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await stored()).toBe(before);
    } finally {
      await app.db.pool.query(`DROP TRIGGER test_out_of_room ON reservations; DROP FUNCTION test_out_of_room()`);
    }
    expect((await create()).status).toBe(201);
  });
});
