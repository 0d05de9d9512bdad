import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AmqpBroker } from '../../src/event-sourcing/broker/amqp-broker.js';
import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { type PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { AMQP_URL, describeWithBroker, uniqueExchange, waitFor, type Tap } from '../support/broker.js';
import { counterStream, ticked } from '../support/projection-fixtures.js';
import { proxied, type TcpProxy } from '../support/tcp-proxy.js';
import { RELAY_SUBSCRIPTION } from '../../src/event-sourcing/relay/event-relay.js';
import { startRelay, type RunningRelay } from '../support/relay-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * RabbitMQ unreachable for seconds (the relay reaches it through a TCP proxy the test cuts),
 * far longer than the engine's retries of a failing event (maxAttempts, about a second): a
 * broker outage must not dead-letter, stop or skip anything; the relay waits and catches up.
 */
describeWithBroker('the relay through a RabbitMQ outage', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let proxy: TcpProxy;
  let broker: AmqpBroker;
  let received: Tap;
  const logged: string[] = [];
  const exchange = uniqueExchange('outage');

  let relay: RunningRelay | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    let url: string;
    ({ proxy, url } = await proxied(AMQP_URL!, 5672));
    const connectionName = `chronicle-outage-test-${randomUUID()}`;
    relay = await startRelay(db, { url, exchange, connectionName, log: (m) => logged.push(m) });
    ({ store, broker, received } = relay);
  });
  afterAll(async () => {
    await relay?.stop();
    await proxy?.close();
    await db?.drop();
  });

  const arrived = (): Set<string> => new Set(received.received.map((m) => m.message.properties.messageId as string));
  const appendTo = async (streams: readonly StreamId[], rounds: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < rounds; i++) for (const stream of streams) ids.push(...(await store.append(stream, [ticked(`${i}`)])).events.map((e) => e.eventId));
    return ids;
  };

  it('waits while RabbitMQ is unreachable, dead-letters nothing, then publishes every event in order', async () => {
    const streams = Array.from({ length: 4 }, (_, i) => counterStream(`tenant-${randomUUID()}`, `c-${i}`));
    await waitFor('the broker connection', () => broker.isUp());
    const before = await appendTo(streams, 5);
    await waitFor('the events before the outage', () => before.every((id) => arrived().has(id)));

    proxy.cut();
    await waitFor('the relay to notice', () => !broker.isUp());
    const during = await appendTo(streams, 10);
    await sleep(4_000);

    expect(during.filter((id) => arrived().has(id))).toEqual([]);
    expect((await db.pool.query(`SELECT event_id FROM projection_dead_letters`)).rows).toEqual([]);
    expect((await db.pool.query(`SELECT status FROM projection_controls WHERE projection = $1`, [RELAY_SUBSCRIPTION])).rows).toEqual([
      { status: 'running' },
    ]);
    // The reason depends on where the cut finds the relay (a publish in flight, or the next one
    // finding no connection); either way it must be reported as the broker's unavailability.
    expect(logged.some((m) => m.includes('RabbitMQ is unavailable: '))).toBe(true);

    proxy.restore();
    const after = await appendTo(streams, 5);
    await waitFor('every event after the outage', () => [...during, ...after].every((id) => arrived().has(id)), 30_000);

    // Each stream's versions, by first arrival: 1, 2, 3, … none missing.
    const versions = new Map<string, number[]>();
    const seen = new Set<string>();
    for (const { message, body } of received.received) {
      const id = message.properties.messageId as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const key = `${(body.stream as StreamId).tenantId}/${(body.stream as StreamId).aggregateId}`;
      versions.set(key, [...(versions.get(key) ?? []), body.version as number]);
    }
    expect([...versions.values()]).toEqual(streams.map(() => Array.from({ length: 20 }, (_, i) => i + 1)));
    expect((await db.pool.query(`SELECT event_id FROM projection_dead_letters`)).rows).toEqual([]);
    // Not asserted: the "handled again after N tries" line. A partition re-claimed during the
    // outage starts a new runner that has seen no failure, and then has nothing to report.
  }, 60_000);
});
