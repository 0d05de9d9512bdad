import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { AmqpBroker } from '../../src/event-sourcing/broker/amqp-broker.js';
import type { InboxConsumer } from '../../src/event-sourcing/inbox/inbox-consumer.js';
import { InboxRunner, type InboxRunnerOptions } from '../../src/event-sourcing/inbox/inbox-runner.js';
import { AMQP_URL, removeExchange, uniqueExchange } from './broker.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** An inbox runner with one consumer on a database and an exchange of the test's own, and a connection to publish on. */
export interface InboxRig {
  readonly db: TestDatabase;
  readonly broker: AmqpBroker;
  readonly inbox: InboxRunner;
  readonly publisher: ChannelModel;
  readonly exchange: string;
  /** The name the broker's connection gives itself in RabbitMQ's connection list. */
  readonly connectionName: string;
  /** The consumer's queue. */
  readonly queue: string;
  /** Whether the consumer's queue exists (the consumer declared it). */
  queueExists(): Promise<boolean>;
  close(): Promise<void>;
}

/** Started: the broker connects (the consumer then declares its queue) and the runner carries out retries. */
export const inboxRig = async (label: string, consumer: InboxConsumer, options: InboxRunnerOptions): Promise<InboxRig> => {
  const exchange = uniqueExchange(label);
  const db = await createTestDatabase();
  const connectionName = `chronicle-${label}-test-${randomUUID()}`;
  const broker = new AmqpBroker({ url: AMQP_URL!, exchange, connectionName, log: options.log });
  const inbox = new InboxRunner(db.pool, broker, options);
  inbox.register(consumer);
  inbox.start();
  await broker.start();
  const publisher = await connect(AMQP_URL!);
  const queue = `${exchange}.${consumer.name}`;
  return {
    db,
    broker,
    inbox,
    publisher,
    exchange,
    connectionName,
    queue,
    async queueExists() {
      const channel = await publisher.createChannel();
      channel.on('error', () => undefined); // a missing queue closes the channel
      try {
        await channel.checkQueue(queue);
        await channel.close();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await inbox.stop();
      await broker.stop();
      await publisher.close();
      await removeExchange(exchange, [queue]);
      await db.drop();
    },
  };
};
