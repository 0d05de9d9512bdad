import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import { CommitNotifier, EVENTS_CHANNEL } from '../../src/event-sourcing/subscriptions/commit-notifier.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Appends ask for a NOTIFY each; the notifier sends few, and never leaves an append unannounced. */
describe('CommitNotifier', () => {
  let db: TestDatabase;
  let listener: PoolClient;
  let received = 0;
  const INTERVAL_MS = 20;

  const waitFor = async (count: number) => {
    for (let i = 0; i < 200 && received < count; i++) await sleep(5);
  };

  beforeAll(async () => {
    db = await createTestDatabase(3);
    listener = await db.pool.connect();
    listener.on('notification', (message) => {
      if (message.channel === EVENTS_CHANNEL) received++;
    });
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
  });
  beforeEach(() => (received = 0));
  afterAll(async () => {
    listener.release();
    await db.drop();
  });

  it('sends one NOTIFY for a burst of appends', async () => {
    const notifier = new CommitNotifier(db.pool, undefined, INTERVAL_MS);
    for (let i = 0; i < 500; i++) notifier.notify();
    await waitFor(1);
    await sleep(4 * INTERVAL_MS);
    expect(received).toBe(1);
  });

  it('announces appends that come while a NOTIFY is in flight or just sent', async () => {
    const notifier = new CommitNotifier(db.pool, undefined, INTERVAL_MS);
    notifier.notify();
    notifier.notify();
    await waitFor(1);
    notifier.notify();
    await waitFor(2);
    expect(received).toBe(2);
  });

  it('keeps sends at least the interval apart under a steady stream of appends', async () => {
    const notifier = new CommitNotifier(db.pool, undefined, INTERVAL_MS);
    const started = performance.now();
    while (performance.now() - started < 10 * INTERVAL_MS) {
      notifier.notify();
      await sleep(1);
    }
    await sleep(3 * INTERVAL_MS);
    const elapsed = performance.now() - started;
    expect(received).toBeGreaterThanOrEqual(3);
    expect(received).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL_MS) + 1);
  });
});
