import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AMQP_URL, describeWithBroker, uniqueExchange, waitFor } from '../support/broker.js';
import { counterStream, ticked } from '../support/projection-fixtures.js';
import { startRelay, type RunningRelay } from '../support/relay-fixture.js';
import { proxied, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const CONFIRM_TIMEOUT_MS = 500;

/**
 * RabbitMQ's connection gone half-open (the relay reaches it through a TCP proxy the test
 * freezes: nothing is closed, nothing answers). The relay waits inside its subscription's
 * transaction, whose fence holds back every log reader of the server: each wait, for confirms
 * and for a new channel, must end within the confirm timeout, not when the heartbeat gives up
 * minutes later, and the broker must read as down meanwhile.
 */
describeWithBroker('the relay on a half-open RabbitMQ connection', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let relay: RunningRelay | undefined;
  const exchange = uniqueExchange('half-open');

  beforeAll(async () => {
    db = await createTestDatabase();
    let url: string;
    ({ proxy, url } = await proxied(AMQP_URL!, 5672));
    const settings = { url, exchange, connectionName: `chronicle-half-open-test-${randomUUID()}`, log: () => undefined };
    relay = await startRelay(db, { ...settings, confirmTimeoutMs: CONFIRM_TIMEOUT_MS });
  });
  afterAll(async () => {
    await proxy?.close();
    await relay?.stop();
    await db?.drop();
  });

  /** The oldest transaction of this database holding an xid: the relay's, while it publishes. */
  const oldestTransactionMs = async (): Promise<number> =>
    (
      await db.pool.query<{ ms: number }>(
        `SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start) * 1000), 0)::float8 AS ms
         FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL`,
      )
    ).rows[0].ms;

  it('never holds its transaction longer than the confirm timeout, and reads as down', async () => {
    const { broker, store, received } = relay!;
    const stream = counterStream(`tenant-${randomUUID()}`, 'c-1');
    await waitFor('the broker connection', () => broker.isUp());
    const first = (await store.append(stream, [ticked('before')])).events[0].eventId;
    await waitFor('the event before', () => received.received.some((m) => m.message.properties.messageId === first));

    proxy.freeze();
    await store.append(stream, [ticked('during')]);
    let longest = 0;
    for (const end = Date.now() + 8 * CONFIRM_TIMEOUT_MS; Date.now() < end; await sleep(50)) longest = Math.max(longest, await oldestTransactionMs());

    expect(longest).toBeGreaterThan(CONFIRM_TIMEOUT_MS / 2); // it did try, inside its transaction
    expect(longest).toBeLessThan(3 * CONFIRM_TIMEOUT_MS);
    expect(broker.isUp()).toBe(false);
  });
});
