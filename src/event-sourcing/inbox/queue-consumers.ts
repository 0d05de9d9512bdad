import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { AmqpBroker } from '../broker/amqp-broker.js';
import type { InboxConsumer } from './inbox-consumer.js';

/** Handles one message of a consumer's queue, and acks, rejects or requeues it on `channel`. */
export type Deliver = (channel: Channel, consumer: InboxConsumer, message: ConsumeMessage) => Promise<void>;

/** The pauses before a consumer that stopped on a live connection is set up again: 200 ms, doubling to 5 s. */
const RESUME_FIRST_DELAY_MS = 200;
const RESUME_MAX_DELAY_MS = 5_000;

interface Consuming {
  readonly channel: Channel;
  consumerTag: string;
  /** The message being handled: stop() waits for it. */
  done: Promise<void>;
  /**
   * `cancelled` by the broker: it handles what it holds (its queue may be gone, and those with it),
   * then closes. `closed`: what it held comes again, to its successor, and is not handled here.
   */
  state: 'starting' | 'consuming' | 'cancelled' | 'closed';
}

/**
 * The inbox consumers' queues, consumed on the broker's connection: on every (re)connection each
 * consumer declares and binds its queue and consumes it on a channel of its own, its messages
 * handed to `deliver` one at a time, in queue order.
 *
 * A consumer can also stop while its connection stays up: RabbitMQ cancels it when its queue is
 * deleted (by an operator, a policy, a node gone), or closes its channel. It is then set up again
 * on that connection, after a pause that grows while that fails, and the broker reads as down
 * meanwhile: left alone it would consume nothing until the next connection, and every event the
 * relay published meanwhile, confirmed, would reach no queue.
 */
export class QueueConsumers {
  private readonly consuming = new Set<Consuming>();
  private stopping = false;

  constructor(
    private readonly broker: AmqpBroker,
    private readonly deliver: Deliver,
    private readonly options: { readonly prefetch: number; readonly log: (message: string) => void },
  ) {}

  /** Before the broker starts: the consumer then consumes on every connection it makes. */
  register(consumer: InboxConsumer): void {
    this.broker.onConnect((connection) => this.consume(connection, consumer));
  }

  /** Cancels every consumer and waits for the messages in hand (their acks may be lost: they come again, skipped). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const { channel, consumerTag } of this.consuming) await channel.cancel(consumerTag).catch(() => undefined);
    await Promise.allSettled([...this.consuming].map((c) => c.done));
  }

  /** Declares and binds the consumer's queue and consumes it on a channel of its own. */
  private async consume(connection: ChannelModel, consumer: InboxConsumer): Promise<void> {
    const { exchange } = this.broker;
    const queue = `${exchange}.${consumer.name}`;
    const channel = await connection.createChannel();
    const consuming: Consuming = { channel, consumerTag: '', done: Promise.resolve(), state: 'starting' };
    // Once it consumes, its end is met by setting it up again; before, by this call failing.
    const end = (why: string, state: 'cancelled' | 'closed') => {
      const was = consuming.state;
      if (was === 'closed') return;
      consuming.state = state;
      if (state === 'closed') this.consuming.delete(consuming);
      if (was === 'consuming') void this.resume(connection, consumer, why);
    };
    const handle = async (message: ConsumeMessage) => {
      if (consuming.state !== 'closed') await this.deliver(channel, consumer, message);
    };
    this.broker.watch(connection, channel, () => end('its channel closed', 'closed'));
    try {
      await channel.prefetch(this.options.prefetch);
      await channel.assertQueue(queue, { durable: true });
      for (const pattern of consumer.bindings) await channel.bindQueue(queue, exchange, pattern);
      const { consumerTag } = await channel.consume(queue, (message) => {
        if (message) {
          consuming.done = consuming.done.then(() => handle(message));
          return;
        }
        end(`RabbitMQ cancelled it: its queue ${queue} was deleted, or went with a node`, 'cancelled');
        void consuming.done.then(() => channel.close()).catch(() => undefined);
      });
      if (consuming.state !== 'starting') throw new Error(`it was ${consuming.state} as it was set up`);
      consuming.consumerTag = consumerTag;
      consuming.state = 'consuming';
      this.consuming.add(consuming);
    } catch (error) {
      consuming.state = 'closed';
      void channel.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Sets a consumer that stopped up again on its connection: the queue declared again (empty, if
   * it was deleted), bound and consumed. A channel also closes with its connection: then nothing
   * is done here, the next connection sets the consumer up.
   */
  private async resume(connection: ChannelModel, consumer: InboxConsumer, why: string): Promise<void> {
    await sleep(0); // the connection's own close, if that is what this is, has been seen by then
    if (this.stopping || !this.broker.isOpen(connection)) return;
    this.broker.consumerDown(consumer.name, why);
    this.options.log(`inbox ${consumer.name}: stopped consuming on a live connection (${why}); setting it up again`);
    for (let delay = RESUME_FIRST_DELAY_MS; ; delay = Math.min(2 * delay, RESUME_MAX_DELAY_MS)) {
      await sleep(delay);
      if (this.stopping || !this.broker.isOpen(connection)) return;
      try {
        await this.consume(connection, consumer);
        this.broker.consumerUp(consumer.name);
        this.options.log(`inbox ${consumer.name}: consuming again`);
        return;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.options.log(`inbox ${consumer.name}: cannot consume again (${reason}); trying again in ${delay} ms`);
      }
    }
  }
}
