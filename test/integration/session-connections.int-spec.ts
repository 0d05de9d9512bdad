import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { KeyWrapping } from '../../src/event-sourcing/personal-data/key-wrapping.js';
import { PostgresSubjectKeys } from '../../src/event-sourcing/personal-data/postgres-subject-keys.js';
import { projectionSubscription } from '../../src/event-sourcing/projections/async-projection.js';
import { EVENTS_CHANNEL } from '../../src/event-sourcing/subscriptions/commit-notifier.js';
import { PostgresSubscriptionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import { TEST_MASTER_KEY } from '../support/personal-data.js';
import { commandComplete, fatalGoodbye } from '../support/postgres-wire.js';
import { createProjectionTables, testProjections, testRegistry } from '../support/projection-fixtures.js';
import { proxied, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The connections the core keeps for a session of its own (the subject keys' and the worker's
 * LISTEN, the worker's lease) are given back whatever happens while they are set up: a server
 * lost just then, or a stop. One left checked out is lost to the pool for good, and the app's
 * shutdown waits for it forever (`pool.end()`), as a CI run of the database-loss test once did.
 */
describe('connections kept for a session', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let proxiedUrl: string;
  let pool: pg.Pool;
  const logged: string[] = [];
  const log = (line: string) => void logged.push(line);
  /** What a test started: stopped after it, so a failed expectation does not leave them holding the pool's clients. */
  const started: { stop(): Promise<void> }[] = [];
  const stoppedAfter = <T extends { stop(): Promise<void> }>(startable: T): T => {
    started.push(startable);
    return startable;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await createProjectionTables(db.pool);
    ({ proxy, url: proxiedUrl } = await proxied(db.url, 5432));
  });
  beforeEach(() => {
    pool = new pg.Pool({ connectionString: proxiedUrl, max: 4 });
    pool.on('error', () => undefined);
    logged.length = 0;
  });
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((startable) => startable.stop()));
    // Resolves only once every client is back: a leaked one would time the test out here.
    await pool.end();
  });
  afterAll(async () => {
    await proxy.close();
    await db.drop();
  });

  const checkedOut = () => pool.totalCount - pool.idleCount;
  /** The server "dies" as it answers the next reply holding `part`: the reply becomes its FATAL goodbye. */
  const loseTheConnectionAnswering = (part: Buffer | string) =>
    proxy.lastReply((chunk) => chunk.includes(part), () => fatalGoodbye());
  const subjectKeys = () => stoppedAfter(new PostgresSubjectKeys(pool, new KeyWrapping(TEST_MASTER_KEY), log));
  const worker = () =>
    stoppedAfter(
      new SubscriptionWorker(pool, new PostgresSubscriptionLog(pool, testRegistry()), testProjections().map(projectionSubscription), {
        heartbeatMs: 100,
        pollIntervalMs: 100,
        log,
      }),
    );

  it('subject keys: a LISTEN lost as it is answered gives its connection back, and keys are read each time', async () => {
    const keys = subjectKeys();
    loseTheConnectionAnswering(commandComplete('LISTEN'));
    await keys.start();

    expect(keys.listening).toBe(false);
    expect(logged.join('\n')).toContain('cannot LISTEN');
    expect(checkedOut()).toBe(0);
    await keys.stop();
  });

  it('subject keys: listens again after a lost LISTEN', async () => {
    const keys = subjectKeys();
    loseTheConnectionAnswering(commandComplete('LISTEN'));
    await keys.start();
    for (let i = 0; i < 50 && !keys.listening; i++) await sleep(100);

    expect(keys.listening).toBe(true);
    expect(checkedOut()).toBe(1);
    await keys.stop();
    expect(checkedOut()).toBe(0);
  });

  it('subject keys: stopped while connecting, keeps no connection', async () => {
    const keys = subjectKeys();
    const starting = keys.start();
    await keys.stop();
    await starting;

    expect(keys.listening).toBe(false);
    expect(checkedOut()).toBe(0);
  });

  it('worker: a lease connection lost as it is named gives its connection back (the start fails)', async () => {
    const subscriptions = worker();
    loseTheConnectionAnswering('set_config');

    await expect(subscriptions.start()).rejects.toThrow();
    expect(checkedOut()).toBe(0);
    await subscriptions.stop();
  });

  it('worker: a LISTEN lost as it is answered gives its connection back; the worker polls and listens again', async () => {
    const subscriptions = worker();
    loseTheConnectionAnswering(commandComplete('LISTEN'));
    await subscriptions.start();
    expect(subscriptions.ownedSlots().length).toBeGreaterThan(0);

    // The heartbeat connects LISTEN again: the lease and the LISTEN connection, and no third.
    // Sessions of this database only (other test files' workers LISTEN too), and the lost
    // connection's backend may outlive it for a moment: wait for exactly one.
    const listening = async () =>
      (
        await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = $1`, [
          `LISTEN ${EVENTS_CHANNEL}`,
        ])
      ).rows[0].n;
    for (let i = 0; i < 50 && (await listening()) !== 1; i++) await sleep(100);
    expect(await listening()).toBe(1);
    await subscriptions.stop();
    expect(checkedOut()).toBe(0);
  });
});
