import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import { AmqpBroker } from '../../src/event-sourcing/broker/amqp-broker.js';
import { REDACTED } from '../../src/event-sourcing/personal-data/personal-fields.js';
import { eventRelay } from '../../src/event-sourcing/relay/event-relay.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { PostgresSubscriptionLog, type SubscriptionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import { AMQP_URL, describeWithBroker, removeExchange, tap, uniqueExchange, waitFor } from '../support/broker.js';
import { forgettingOn, personalDataOn } from '../support/personal-data.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class GuestArrived {
  @IsString() guestId!: string;
  @IsString() name!: string;
}

/** What the relay publishes of a forgotten guest: the event, with their personal fields redacted. */
describeWithBroker('the relay and forgotten subjects', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it("publishes a forgotten guest's personal fields redacted, and a remembered guest's as they were", async () => {
    const registry = new EventRegistry().register({
      type: 'guest.arrived',
      payload: GuestArrived,
      personal: { subject: 'guestId', fields: ['name'] },
    });
    const personalData = personalDataOn(db.pool, registry);
    const store = new PostgresEventStore(db.pool, registry, undefined, { personalData });
    const actor = { type: 'human', id: 'desk' } as const;
    for (const [guestId, name] of [['g-ada', 'Ada Lovelace'], ['g-grace', 'Grace Hopper']]) {
      const stream = { tenantId: 'practice-1', aggregateType: 'stay', aggregateId: randomUUID() };
      await store.append(stream, [{ type: 'guest.arrived', data: { guestId, name }, metadata: { actor } }]);
    }
    await forgettingOn(db.pool, personalData).forget('practice-1', 'g-ada', actor);

    const exchange = uniqueExchange('forgotten');
    const received = await tap(exchange);
    const broker = new AmqpBroker({ url: AMQP_URL!, exchange, connectionName: `chronicle-test-${randomUUID()}`, log: () => undefined });
    await broker.start();
    const reader = new PostgresSubscriptionLog(db.pool, registry, personalData);
    const worker = new SubscriptionWorker(db.pool, reader, [eventRelay(broker, { types: ['guest.arrived'] })], { pollIntervalMs: 50 });
    await worker.start();
    try {
      await waitFor('both events relayed', () => received.received.length === 2);
      const bodies = received.received.map((m) => m.body.data);
      expect(bodies).toEqual([
        { guestId: 'g-ada', name: REDACTED },
        { guestId: 'g-grace', name: 'Grace Hopper' },
      ]);
      expect(received.received.map((m) => m.message.content.toString()).join()).not.toContain('Ada');
    } finally {
      await worker.stop();
      await broker.stop();
      await received.close();
    }
  });

  it('publishes nothing of a guest forgotten after the page was read: a page read ahead is read again', async () => {
    const registry = new EventRegistry().register({ type: 'guest.arrived', payload: GuestArrived, personal: { subject: 'guestId', fields: ['name'] } });
    const personalData = personalDataOn(db.pool, registry);
    const store = new PostgresEventStore(db.pool, registry, undefined, { personalData });
    const actor = { type: 'human', id: 'desk' } as const;
    for (const [guestId, name] of [['g-grace', 'Grace Hopper'], ['g-ada', 'Ada Lovelace']]) {
      const stream = { tenantId: 'practice-2', aggregateType: 'stay', aggregateId: randomUUID() };
      await store.append(stream, [{ type: 'guest.arrived', data: { guestId, name }, metadata: { actor } }]);
    }
    const exchange = uniqueExchange('read-ahead');
    const received = await tap(exchange);
    const broker = new AmqpBroker({ url: AMQP_URL!, exchange, connectionName: `chronicle-test-${randomUUID()}`, log: () => undefined });
    await broker.start();
    // The broker is slow to confirm the first page (a busy broker: anything up to the confirm timeout).
    let release!: () => void;
    const slowBroker = new Promise<void>((resolve) => (release = resolve));
    const confirmChannel = broker.confirmChannel.bind(broker);
    let publishes = 0;
    broker.confirmChannel = async (timeoutMs: number) => {
      if (publishes++ === 0) await slowBroker;
      return confirmChannel(timeoutMs);
    };
    const log = new PostgresSubscriptionLog(db.pool, registry, personalData);
    let reads = 0;
    const counted: SubscriptionLog = { readPartition: (...args) => log.readPartition(...args).finally(() => reads++) };
    const worker = new SubscriptionWorker(db.pool, counted, [eventRelay(broker, { types: ['guest.arrived'] })], { pollIntervalMs: 50, batchSize: 1 });
    await worker.start();
    try {
      // The first page (Grace) waits for the broker; the next one (Ada) is read ahead meanwhile.
      await waitFor('the next page read ahead', () => reads >= 2 && publishes === 1);
      expect((await forgettingOn(db.pool, personalData).forget('practice-2', 'g-ada', actor))?.keysDeleted).toBe(1);
      release();

      await waitFor('both events relayed', () => received.received.length === 2);
      expect(received.received.map((m) => m.body.data)).toEqual([
        { guestId: 'g-grace', name: 'Grace Hopper' },
        { guestId: 'g-ada', name: REDACTED },
      ]);
    } finally {
      await worker.stop();
      await broker.stop();
      await received.close();
      await removeExchange(exchange);
    }
  });
});
