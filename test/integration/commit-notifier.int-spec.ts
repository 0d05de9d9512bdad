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
  /** One NOTIFY per interval, no burst: the pace these first tests are about. */
  const EVEN = { intervalMs: INTERVAL_MS, sustainedIntervalMs: INTERVAL_MS, burst: 1 };

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
    const notifier = new CommitNotifier(db.pool, undefined, EVEN);
    for (let i = 0; i < 500; i++) notifier.notify();
    await waitFor(1);
    await sleep(4 * INTERVAL_MS);
    expect(received).toBe(1);
  });

  it('announces appends that come while a NOTIFY is in flight or just sent', async () => {
    const notifier = new CommitNotifier(db.pool, undefined, EVEN);
    notifier.notify();
    notifier.notify();
    await waitFor(1);
    notifier.notify();
    await waitFor(2);
    expect(received).toBe(2);
  });

  it('keeps sends at least the interval apart under a steady stream of appends', async () => {
    const notifier = new CommitNotifier(db.pool, undefined, EVEN);
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

  it('sends a burst of NOTIFYs at the short interval, then holds a steady stream to the sustained pace', async () => {
    const SUSTAINED_MS = 200;
    const started = performance.now();
    const notifier = new CommitNotifier(db.pool, undefined, { intervalMs: 1, sustainedIntervalMs: SUSTAINED_MS, burst: 3 });
    for (let count = 1; count <= 3; count++) {
      notifier.notify();
      await waitFor(count);
    }
    // Three appends a few milliseconds apart, each announced at once: the bucket held three.
    expect(received).toBe(3);
    expect(performance.now() - started).toBeLessThan(SUSTAINED_MS);
    notifier.notify();
    await waitFor(4);
    expect(received).toBe(4);
    // The fourth waited for a token: one sustained interval after the bucket was full.
    expect(performance.now() - started).toBeGreaterThanOrEqual(SUSTAINED_MS - 1);
  });
});
