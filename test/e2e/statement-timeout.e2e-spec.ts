import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { proxied, type TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * DB_STATEMENT_TIMEOUT_MS bounds how long a request waits on PostgreSQL: a statement held up
 * (by a lock, an overloaded server) is cancelled by the server, and one whose server went
 * silent mid-statement (the network lost it: a failover, a dropped NAT entry) is given up a
 * little later by the app, which drops that connection. Either way the client gets a 503
 * with Retry-After within seconds, not when TCP gives up (about 15 minutes), and the app
 * serves again without a restart.
 */
const OWNER = 'olivia';
const STATEMENT_TIMEOUT_MS = 1_000;
/** The app's give-up on a silent server: the statement timeout and a 2 s margin (database.ts). */
const SILENT_SERVER_MS = STATEMENT_TIMEOUT_MS + 2_000;

describe('Statements that do not finish in time', () => {
  let app: TestApp;
  let proxy: TcpProxy;
  let practice: string;

  const reservations = () => `/v1/practices/${practice}/reservations`;
  const create = (): Promise<Reply> => sendJson(app.baseUrl, 'POST', reservations(), app.as(OWNER), stay());
  const created = async (): Promise<number> =>
    (await app.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'reservation.created'`)).rows[0].n;
  const timed = async (request: () => Promise<Reply>): Promise<{ reply: Reply; ms: number }> => {
    const started = Date.now();
    const reply = await request();
    return { reply, ms: Date.now() - started };
  };

  beforeAll(async () => {
    app = await startTestApp({ DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS), DB_POOL_SIZE: '2', ROLE: 'web' }, {}, async (db) => {
      const through = await proxied(db.url, 5432);
      proxy = through.proxy;
      return through.url;
    });
    app.db.pool.on('error', () => undefined);
    practice = await createPractice(app, OWNER);
  });
  afterAll(async () => {
    await proxy?.close(); // frozen connections never end politely
    await app?.close();
  });

  it('answers 503 DATABASE_TIMEOUT with Retry-After to a command held past it by a lock, and writes nothing', async () => {
    const before = await created();
    const blocker = new pg.Client({ connectionString: app.db.url });
    await blocker.connect();
    try {
      await blocker.query(`BEGIN; LOCK TABLE reservations IN ACCESS EXCLUSIVE MODE`);
      const { reply, ms } = await timed(create);

      expectError(reply, 503, 'DATABASE_TIMEOUT');
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      // Once: neither the group commit nor the repository sends a cancelled command again (each
      // would wait as long once more).
      expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS * 1.8);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(await created()).toBe(before);
    expect((await create()).status).toBe(201);
  });

  it('answers 503 DATABASE_UNAVAILABLE, not DATABASE_TIMEOUT, to a keyed command stored whose answer is held past it', async () => {
    const key = `slow-answer-${Date.now()}`;
    const keyed = () => sendJson(app.baseUrl, 'POST', reservations(), { ...app.as(OWNER), 'idempotency-key': key }, stay());
    const before = await created();
    // The command commits; the statement storing its answer waits (a lock, a slow disk) past the timeout.
    await app.db.pool.query(`
      CREATE FUNCTION slow_answer() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(${(STATEMENT_TIMEOUT_MS * 1.5) / 1000}); RETURN NEW; END $$;
      CREATE TRIGGER slow_answer BEFORE UPDATE ON idempotency_keys FOR EACH ROW
        WHEN (NEW.key = '${key}' AND NEW.status_code IS NOT NULL) EXECUTE FUNCTION slow_answer();`);
    let first: Reply;
    try {
      first = await keyed();
    } finally {
      await app.db.pool.query(`DROP TRIGGER slow_answer ON idempotency_keys; DROP FUNCTION slow_answer()`);
    }

    // "May or may not have been stored: retry with the same key", and the retry tells.
    expectError(first, 503, 'DATABASE_UNAVAILABLE');
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    const retry = await keyed();
    expect(retry.status).toBe(201);
    expect(await created()).toBe(before + 1);
  });

  it('never waits on a server gone silent mid-statement past the timeout and its margin, and serves again on new connections', async () => {
    expect((await create()).status).toBe(201); // the pool's connections are open, and about to go silent
    proxy.freeze();

    // A request whose own statement went silent answers 503; one that only waited for a
    // connection the pool then dropped goes on with a new one.
    const replies: Reply[] = [];
    for (let attempt = 0; attempt < 4 && replies.at(-1)?.status !== 201; attempt++) {
      const { reply, ms } = await timed(create);
      replies.push(reply);
      expect(ms).toBeLessThan(SILENT_SERVER_MS * 2);
    }

    expect(replies.at(-1)?.status).toBe(201);
    for (const reply of replies.slice(0, -1)) expectError(reply, 503, 'DATABASE_UNAVAILABLE');
  });
});

describe('A projection worker held by a lock longer than DB_STATEMENT_TIMEOUT_MS', () => {
  let app: TestApp;
  const admin = (method: string, path: string) => sendJson(app.baseUrl, method, `/v1/admin${path}`, app.as('ops'));

  beforeAll(async () => {
    app = await startTestApp({ DB_STATEMENT_TIMEOUT_MS: '300', OPERATOR_USER_IDS: 'ops' });
  });
  afterAll(() => app?.close());

  it('waits for it without counting attempts, then catches up: nothing dead-lettered, nothing stopped', async () => {
    const practice = await createPractice(app, OWNER);
    // Behind, as after a pause, a restart or a burst; then a long lock on its tables (an index
    // built, a VACUUM FULL) outlasts every attempt it would have made.
    expect((await admin('POST', '/projections/occupancy/pause')).status).toBe(200);
    expect((await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations`, app.as(OWNER), stay())).status).toBe(201);
    const blocker = new pg.Client({ connectionString: app.db.url });
    await blocker.connect();
    try {
      await blocker.query(`BEGIN; LOCK TABLE occupancy_stays, occupancy_days IN ACCESS EXCLUSIVE MODE`);
      expect((await admin('POST', '/projections/occupancy/resume')).status).toBe(200);
      await sleep(8_000); // its batch and each of its 5 attempts would have been cancelled several times over
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }

    const stays = async () => (await app.db.pool.query(`SELECT count(*)::int AS n FROM occupancy_stays`)).rows[0].n as number;
    for (const deadline = Date.now() + 15_000; (await stays()) === 0; await sleep(100)) {
      if (Date.now() > deadline) throw new Error('occupancy never caught up');
    }
    const report = await admin('GET', '/projections/occupancy');
    expect(report.body.status).toBe('running');
    expect((await admin('GET', '/dead-letters')).body.deadLetters).toEqual([]);
  });
});
