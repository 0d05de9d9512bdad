import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Pool, PoolClient } from 'pg';
import type { AmqpBroker } from '../broker/amqp-broker.js';
import type { RelayedEvent } from '../relay/relayed-event.js';
import { PollingLoop } from '../sagas/polling-loop.js';
import { isDatabaseStalled } from '../store/database-unavailable.js';
import { inTransaction } from '../store/in-transaction.js';
import { isStorableText } from '../domain/storable-text.js';
import { DependencyUnavailable } from '../subscriptions/dependency-unavailable.js';
import type { InboxConsumer } from './inbox-consumer.js';
import { InboxFailures, type FailureCount, type RetryRequested } from './inbox-failures.js';
import { QueueConsumers, type Deliver } from './queue-consumers.js';
import { UncountedFailures } from './uncounted-failures.js';

export interface InboxRunnerOptions {
  /** Messages RabbitMQ sends ahead of the acks; they are still handled one at a time, in queue order. */
  readonly prefetch?: number;
  /** How long a message whose handler failed waits before it is put back on the queue. */
  readonly retryDelayMs?: number;
  /** How often the runner looks for parked messages an operator asked to have handled again. */
  readonly retryPollMs?: number;
  readonly log?: (message: string) => void;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/** A failed attempt as counted: in `inbox_failures`, or in memory when PostgreSQL refused the row (`unrecorded`). */
type CountedAttempt = FailureCount & { readonly unrecorded?: string };

/**
 * Runs inbox consumers on the broker's connection: on every (re)connection each declares and
 * binds its queue and consumes it, one message at a time (so a stream's events, published in
 * order, are handled in order), and again when it stops while the connection stays up
 * (`QueueConsumers`). A message is handled in one transaction with its inbox row and
 * acked after the commit; if the handler fails it is rolled back and the message requeued after
 * a pause. A redelivery racing the first delivery waits on the inbox row's key and finds it.
 *
 * Each failed attempt is counted in `inbox_failures`. The one that reaches the consumer's
 * `maxAttempts` parks the message: it is acked off the queue, which would otherwise hand it out
 * again forever with a pause each time that holds up every message behind it, and kept in the
 * table, where an operator finds it and asks for a retry once the cause is fixed (the admin
 * API); `start` runs the loop that carries such retries out. A failure that is not the
 * message's fault is not counted: a `DependencyUnavailable` from the handler, or PostgreSQL
 * gone, its connection lost or a statement cancelled for time (`isDatabaseStalled`). A message
 * whose id PostgreSQL cannot store is dropped before it is handled, as one without an id; one
 * whose failures PostgreSQL will not record is counted in memory, and dropped at its last attempt.
 */
export class InboxRunner {
  private readonly queues: QueueConsumers;
  private readonly consumers = new Map<string, InboxConsumer>();
  private readonly failures: InboxFailures;
  private readonly uncounted = new UncountedFailures();
  private readonly retries: PollingLoop;
  private stopping = false;
  private readonly log: (message: string) => void;

  constructor(
    private readonly pool: Pool,
    private readonly broker: AmqpBroker,
    private readonly options: InboxRunnerOptions = {},
  ) {
    this.log = options.log ?? (() => undefined);
    this.failures = new InboxFailures(pool);
    const deliver: Deliver = (channel, consumer, message) => this.deliver(channel, consumer, message);
    this.queues = new QueueConsumers(broker, deliver, { prefetch: options.prefetch ?? 20, log: this.log });
    this.retries = new PollingLoop(() => this.retryRequested(), options.retryPollMs ?? 1_000, (m) => this.log(`inbox retries: ${m}`));
  }

  /** Before the broker starts: the consumer then runs on every connection it makes. */
  register(consumer: InboxConsumer): void {
    if (this.consumers.has(consumer.name)) throw new Error(`InboxRunner: a consumer named ${consumer.name} is registered already`);
    this.consumers.set(consumer.name, consumer);
    this.queues.register(consumer);
  }

  /** Starts carrying out the retries operators ask for; the queues are consumed once the broker connects. */
  start(): void {
    this.retries.start();
  }

  /** Cancels every consumer and waits for the messages in hand (their acks may be lost: they come again, and are skipped). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.retries.stop();
    await this.queues.stop();
  }

  private async deliver(channel: Channel, consumer: InboxConsumer, message: ConsumeMessage): Promise<void> {
    const messageId = message.properties.messageId as unknown;
    const event = parse(message.content);
    if (typeof messageId !== 'string' || messageId === '' || !isStorableText(messageId) || !event) {
      // Without an id it cannot be deduplicated, with an id PostgreSQL cannot store (a NUL) neither
      // deduplicated nor counted, without a body not handled: requeueing would loop forever.
      const id = typeof messageId === 'string' ? ` ${JSON.stringify(messageId)}` : '';
      const { routingKey } = message.fields;
      this.log(`inbox ${consumer.name}: dropped message${id} (${routingKey}): no storable message id, or no JSON body`);
      return settle(() => channel.reject(message, false));
    }
    try {
      await inTransaction(this.pool, (client) => handleOnce(client, consumer, messageId, event));
    } catch (error) {
      return this.failed(channel, consumer, message, messageId, error);
    }
    this.uncounted.forget(consumer.name, messageId);
    settle(() => channel.ack(message));
  }

  private async failed(channel: Channel, consumer: InboxConsumer, message: ConsumeMessage, messageId: string, error: unknown): Promise<void> {
    const reason = errorText(error);
    const maxAttempts = consumer.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const counted = await this.count(consumer, message, messageId, error, maxAttempts);
    if (counted?.parked) {
      this.log(`inbox ${consumer.name}: message ${messageId} failed ${counted.attempts} times and is parked (GET /v1/admin/inbox/dead-letters): ${reason}`);
      return settle(() => channel.ack(message));
    }
    if (counted?.unrecorded !== undefined && counted.attempts >= maxAttempts) {
      // Requeued again it would come back for ever; a dead-letter exchange (a RabbitMQ policy) keeps it.
      this.uncounted.forget(consumer.name, messageId);
      this.log(
        `inbox ${consumer.name}: message ${messageId} failed ${counted.attempts} times and PostgreSQL ` +
          `refuses to record its failures (${counted.unrecorded}): dropped, kept only by a dead-letter ` +
          `exchange of its queue's: ${reason}`,
      );
      return settle(() => channel.reject(message, false));
    }
    const unrecorded = counted?.unrecorded === undefined ? '' : `, not recorded: ${counted.unrecorded}`;
    const attempt = counted ? ` (attempt ${counted.attempts} of ${maxAttempts}${unrecorded})` : '';
    this.log(`inbox ${consumer.name}: message ${messageId} failed${attempt}, requeued: ${reason}`);
    // A pause, so a failing message does not spin; it then goes back to the queue.
    if (!this.stopping) await sleep(this.options.retryDelayMs ?? 1_000);
    settle(() => channel.nack(message, false, true));
  }

  /**
   * Counts a failed attempt, unless it is not the message's fault (undefined). A row PostgreSQL
   * refuses for any other reason than being down is counted in memory, so the message still ends.
   */
  private async count(
    consumer: InboxConsumer,
    message: ConsumeMessage,
    messageId: string,
    error: unknown,
    maxAttempts: number,
  ): Promise<CountedAttempt | undefined> {
    if (error instanceof DependencyUnavailable || isDatabaseStalled(error) || this.stopping) return undefined;
    const { routingKey } = message.fields;
    const content = message.content.toString('utf8');
    try {
      const counted = await this.failures.count(consumer.name, messageId, routingKey, content, error, maxAttempts);
      this.uncounted.forget(consumer.name, messageId);
      return counted;
    } catch (refused) {
      if (isDatabaseStalled(refused)) return undefined;
      return { attempts: this.uncounted.add(consumer.name, messageId), parked: false, unrecorded: errorText(refused) };
    }
  }

  /** One round of the retry loop: the parked messages asked for, one transaction each. */
  private async retryRequested(): Promise<number> {
    const names = [...this.consumers.keys()];
    let tried = 0;
    while (names.length > 0 && !this.stopping && (await this.retryOne(names))) tried += 1;
    return tried;
  }

  /** Handles the oldest retry asked for, if any; a failure leaves it parked with its new error. */
  private async retryOne(names: readonly string[]): Promise<boolean> {
    let taken: RetryRequested | undefined;
    try {
      const handled = await inTransaction(this.pool, async (client) => {
        taken = await this.failures.takeRetry(client, names);
        if (taken) await handleOnce(client, this.consumers.get(taken.consumer)!, taken.messageId, taken.event);
        return taken;
      });
      if (handled) this.log(`inbox ${handled.consumer}: parked message ${handled.messageId} handled on an operator's retry`);
      return handled !== undefined;
    } catch (error) {
      if (!taken) throw error;
      await this.failures.retryFailed(taken.id, error);
      this.log(`inbox ${taken.consumer}: parked message ${taken.messageId} failed again on retry, still parked: ${String(error)}`);
      return true;
    }
  }
}

/** In the caller's transaction: the inbox row, then the handler unless the row was there; the message's failures are forgotten. */
const handleOnce = async (client: PoolClient, consumer: InboxConsumer, messageId: string, event: RelayedEvent): Promise<void> => {
  const { rowCount } = await client.query(InboxFailures.FORGET_AND_RECORD, [consumer.name, messageId]);
  if (rowCount === 1) await consumer.handle(client, event);
};

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

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
