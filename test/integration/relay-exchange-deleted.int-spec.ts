import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import type { InboxConsumer } from '../../src/event-sourcing/inbox/inbox-consumer.js';
import { RELAY_SUBSCRIPTION } from '../../src/event-sourcing/relay/event-relay.js';
import { AMQP_URL, describeWithBroker, uniqueExchange, waitFor } from '../support/broker.js';
import { counterStream, ticked } from '../support/projection-fixtures.js';
import { startRelay, type RunningRelay } from '../support/relay-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The relay's exchange deleted while its connection stays up (an operator, a definitions reset):
 * RabbitMQ closes every publish's channel with 404 NOT_FOUND, and the queues bound to the
 * exchange lose their bindings. The relay must declare it again, with the consumers' bindings,
 * rather than retry for ever while `/health` reads RabbitMQ as up.
 */
describeWithBroker('the relay when its exchange is deleted', () => {
  let db: TestDatabase;
  let relay: RunningRelay | undefined;
  let admin: ChannelModel;
  const logged: string[] = [];
  const exchange = uniqueExchange('exchange-deleted');
  const handled: string[] = [];
  const consumer: InboxConsumer = {
    name: 'tests.ticks',
    bindings: ['*.counter.#'],
    handle: async (client, event) => {
      await client.query('SELECT 1');
      handled.push(event.eventId);
    },
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const connectionName = `chronicle-exchange-deleted-test-${randomUUID()}`;
    const log = (line: string) => logged.push(line);
    relay = await startRelay(db, { url: AMQP_URL!, exchange, connectionName, log, consumers: [consumer] });
    admin = await connect(AMQP_URL!);
  });
  afterAll(async () => {
    await admin?.close();
    await relay?.stop();
    await db?.drop();
  });

  it('reads as down, declares the exchange and the consumers’ bindings again, and publishes what waited', async () => {
    const { store, broker } = relay!;
    const stream = counterStream(`tenant-${randomUUID()}`, 'c-1');
    await waitFor('the broker connection', () => broker.isUp());
    const before = (await store.append(stream, [ticked('before')])).events[0].eventId;
    await waitFor('the event before the deletion', () => handled.includes(before));

    const channel = await admin.createChannel();
    await channel.deleteExchange(exchange);
    await channel.close();
    const after = (await store.append(stream, [ticked('after')])).events[0].eventId;

    await waitFor('the broker to read as down', () => !broker.isUp());
    await waitFor('the event after the deletion, through the consumer’s binding', () => handled.includes(after));
    expect(broker.isUp()).toBe(true);
    expect(logged.filter((line) => line.startsWith('lost the RabbitMQ connection'))).toEqual([
      expect.stringMatching(/^lost the RabbitMQ connection \(closing it: Channel closed by server: 404 .*no exchange/),
    ]);
    const deadLetters = `SELECT event_id FROM projection_dead_letters WHERE projection = $1`;
    expect((await db.pool.query(deadLetters, [RELAY_SUBSCRIPTION])).rows).toEqual([]);
  });
});
