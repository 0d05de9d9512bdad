import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AmqpBroker } from '../../src/event-sourcing/broker/amqp-broker.js';
import type { RecordedEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { type PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { AMQP_URL, closeConnectionsNamed, describeWithBroker, uniqueExchange, waitFor, type Tap } from '../support/broker.js';
import { counterStream, TICKED, ticked } from '../support/projection-fixtures.js';
import { RELAY_SUBSCRIPTION } from '../../src/event-sourcing/relay/event-relay.js';
import { startRelay, type RunningRelay } from '../support/relay-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The relay on real PostgreSQL and RabbitMQ: a subscription worker runs it as the app does, and
 * a tap queue bound to the test's own exchange records what arrives.
 */
describeWithBroker('the relay to RabbitMQ', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let broker: AmqpBroker;
  let received: Tap;
  const logged: string[] = [];
  const exchange = uniqueExchange('relay');
  const connectionName = `chronicle-relay-test-${randomUUID()}`;

  let relay: RunningRelay | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    relay = await startRelay(db, { url: AMQP_URL!, exchange, connectionName, log: (m) => logged.push(m), batchSize: 50 });
    ({ store, broker, received } = relay);
  });
  afterAll(async () => {
    await relay?.stop();
    await db?.drop();
  });

  const ids = (messages: Tap['received']): string[] => messages.map((m) => m.message.properties.messageId as string);
  const logOrder = async (tenant: string): Promise<string[]> =>
    (await db.pool.query<{ event_id: string }>(`SELECT event_id FROM events WHERE tenant_id = $1 ORDER BY transaction_id, position`, [tenant])).rows.map(
      (r) => r.event_id,
    );
  const ofTenant = (tenant: string) => received.received.filter((m) => m.routingKey.startsWith(`${tenant}.`));
  const deadLetters = async () => (await db.pool.query(`SELECT event_id, error FROM projection_dead_letters WHERE projection = $1`, [RELAY_SUBSCRIPTION])).rows;
  const relayStatus = async () =>
    (await db.pool.query<{ status: string }>(`SELECT status FROM projection_controls WHERE projection = $1`, [RELAY_SUBSCRIPTION])).rows[0]?.status ?? 'running';

  it('publishes every event once, in log order, persistent, with its ids and type in the headers and the event as the body', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const metadata = { actor: { type: 'human' as const, id: 'ada' }, correlationId: 'corr-1', causationId: 'cause-1' };
    const appended: RecordedEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const stream = counterStream(tenant, `c-${i % 3}`);
      appended.push(...(await store.append(stream, [{ ...ticked(`t${i}`), metadata }, ticked(`u${i}`)])).events);
    }

    await waitFor('60 messages', () => ofTenant(tenant).length >= appended.length);
    await sleep(300); // a duplicate would arrive within this

    expect(ids(ofTenant(tenant))).toEqual(await logOrder(tenant));
    const first = appended[0];
    const { routingKey, message, body } = ofTenant(tenant)[0];
    expect(routingKey).toBe(`${tenant}.counter.test.ticked`);
    expect(message.fields.exchange).toBe(exchange);
    expect(message.properties).toMatchObject({
      messageId: first.eventId,
      type: TICKED,
      contentType: 'application/json',
      deliveryMode: 2,
      correlationId: 'corr-1',
      headers: { 'event-id': first.eventId, 'event-type': TICKED, 'schema-version': 1, 'correlation-id': 'corr-1', 'causation-id': 'cause-1' },
    });
    expect(body).toEqual({
      eventId: first.eventId,
      stream: { tenantId: tenant, aggregateType: 'counter', aggregateId: 'c-0' },
      version: 1,
      position: first.position,
      type: TICKED,
      schemaVersion: 1,
      data: { label: 't0' },
      metadata,
      occurredAt: first.occurredAt.toISOString(),
      recordedAt: first.recordedAt.toISOString(),
    });
    // Absent ids are absent headers, not blanks.
    expect(ofTenant(tenant)[1].message.properties.headers).toEqual({ 'event-id': appended[1].eventId, 'event-type': TICKED, 'schema-version': 1 });
    expect(await deadLetters()).toEqual([]);
  });

  it('loses nothing when RabbitMQ closes its connection mid-stream: every event arrives, each stream in order', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const streams: StreamId[] = Array.from({ length: 12 }, (_, i) => counterStream(tenant, `c-${i}`));
    const total = 600;
    let left = total;
    const writer = async () => {
      while (left > 0) {
        left -= 2;
        const stream = streams[Math.floor(Math.random() * streams.length)];
        await store.append(stream, [ticked('a'), ticked('b')]);
        await sleep(5);
      }
    };
    const appending = Promise.all([writer(), writer(), writer()]);

    await waitFor('the first messages', () => ofTenant(tenant).length >= 50);
    expect(await closeConnectionsNamed(connectionName)).toBe(1);
    await waitFor('the relay to reconnect', () => broker.isUp(), 20_000);
    await waitFor('more messages after the reconnection', () => ofTenant(tenant).length >= 300, 20_000);
    expect(await closeConnectionsNamed(connectionName)).toBe(1); // and once more, further on
    await appending;

    const expected = await logOrder(tenant);
    expect(expected).toHaveLength(total);
    await waitFor('every event', () => new Set(ids(ofTenant(tenant))).size === total, 30_000);

    // At least once: each event arrived; duplicates (republished after the cut) are allowed. In
    // order: each stream's versions, by first arrival, are 1, 2, 3, … with none missing.
    const firstSeen = new Map<string, number[]>();
    const seen = new Set<string>();
    for (const { message, body } of ofTenant(tenant)) {
      if (seen.has(message.properties.messageId as string)) continue;
      seen.add(message.properties.messageId as string);
      const stream = (body.stream as StreamId).aggregateId;
      firstSeen.set(stream, [...(firstSeen.get(stream) ?? []), body.version as number]);
    }
    for (const [stream, versions] of firstSeen) expect({ stream, versions }).toEqual({ stream, versions: versions.map((_, i) => i + 1) });
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(await deadLetters()).toEqual([]);
    expect(await relayStatus()).toBe('running');
    expect(logged.filter((m) => m.startsWith('lost the RabbitMQ connection'))).toHaveLength(2);
    const duplicates = ofTenant(tenant).length - total;
    process.stdout.write(`relay fault test: ${total} events, 2 connection cuts, ${duplicates} duplicate deliveries\n`);
  }, 90_000);
});
