import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Pool } from 'pg';
import type { AmqpBroker } from '../broker/amqp-broker.js';
import type { RelayedEvent } from '../relay/relayed-event.js';
import { inTransaction } from '../store/in-transaction.js';
import type { InboxConsumer } from './inbox-consumer.js';

export interface InboxRunnerOptions {
  /** Messages RabbitMQ sends ahead of the acks; they are still handled one at a time, in queue order. */
  readonly prefetch?: number;
  /** How long a message whose handler failed waits before it is put back on the queue. */
  readonly retryDelayMs?: number;
  readonly log?: (message: string) => void;
}

interface Consuming {
  readonly channel: Channel;
  consumerTag: string;
  /** The message being handled: stop() waits for it. */
  done: Promise<void>;
}

const RECORD = `INSERT INTO inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`;

/**
 * Runs inbox consumers on the broker's connection: on every (re)connection each declares and
 * binds its queue and consumes it, one message at a time (so a stream's events, published in
 * order, are handled in order). A message is handled in one transaction with its inbox row and
 * acked after the commit; if the handler fails it is rolled back and the message requeued after
 * a pause. A redelivery racing the first delivery waits on the inbox row's key and finds it.
 */
export class InboxRunner {
  private readonly consuming = new Set<Consuming>();
  private stopping = false;
  private readonly log: (message: string) => void;

  constructor(
    private readonly pool: Pool,
    private readonly broker: AmqpBroker,
    private readonly options: InboxRunnerOptions = {},
  ) {
    this.log = options.log ?? (() => undefined);
  }

  /** Before the broker starts: the consumer then runs on every connection it makes. */
  register(consumer: InboxConsumer): void {
    this.broker.onConnect((connection) => this.consume(connection, consumer));
  }

  /** Cancels every consumer and waits for the messages in hand (their acks may be lost: they come again, and are skipped). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const consuming of this.consuming) await consuming.channel.cancel(consuming.consumerTag).catch(() => undefined);
    await Promise.allSettled([...this.consuming].map((c) => c.done));
  }

  private async consume(connection: ChannelModel, consumer: InboxConsumer): Promise<void> {
    const { exchange } = this.broker;
    const queue = `${exchange}.${consumer.name}`;
    const channel = await connection.createChannel();
    const consuming: Consuming = { channel, consumerTag: '', done: Promise.resolve() };
    this.broker.watch(channel, () => this.consuming.delete(consuming));
    await channel.prefetch(this.options.prefetch ?? 20);
    await channel.assertQueue(queue, { durable: true });
    for (const pattern of consumer.bindings) await channel.bindQueue(queue, exchange, pattern);
    const reply = await channel.consume(queue, (message) => {
      if (!message) return; // cancelled by the broker (queue deleted): the next connection declares it again
      consuming.done = consuming.done.then(() => this.deliver(channel, consumer, message));
    });
    consuming.consumerTag = reply.consumerTag;
    this.consuming.add(consuming);
  }

  private async deliver(channel: Channel, consumer: InboxConsumer, message: ConsumeMessage): Promise<void> {
    const messageId = message.properties.messageId as unknown;
    const event = parse(message.content);
    if (typeof messageId !== 'string' || messageId === '' || !event) {
      // Without an id it cannot be deduplicated, without a body not handled: requeueing would loop forever.
      this.log(`inbox ${consumer.name}: dropped a message without a message id or a JSON body (${message.fields.routingKey})`);
      return settle(() => channel.reject(message, false));
    }
    try {
      await inTransaction(this.pool, async (client) => {
        const { rowCount } = await client.query(RECORD, [consumer.name, messageId]);
        if (rowCount === 1) await consumer.handle(client, event);
      });
    } catch (error) {
      this.log(`inbox ${consumer.name}: message ${messageId} failed, requeued: ${error instanceof Error ? error.message : String(error)}`);
      // A pause, so a failing message does not spin; it then goes back to the queue.
      if (!this.stopping) await sleep(this.options.retryDelayMs ?? 1_000);
      return settle(() => channel.nack(message, false, true));
    }
    settle(() => channel.ack(message));
  }
}

const parse = (content: Buffer): RelayedEvent | undefined => {
  try {
    const body = JSON.parse(content.toString('utf8')) as unknown;
    return typeof body === 'object' && body !== null ? (body as RelayedEvent) : undefined;
  } catch {
    return undefined;
  }
};

/** An ack on a channel that has closed throws: the broker redelivers the message, and the inbox skips it. */
const settle = (ack: () => void): void => {
  try {
    ack();
  } catch {
    // nothing to do: see above
  }
};
