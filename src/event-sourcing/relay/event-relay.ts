import type { PoolClient } from 'pg';
import { AmqpBroker } from '../broker/amqp-broker.js';
import type { RecordedEvent } from '../store/event-envelope.js';
import { within } from '../store/within.js';
import type { Subscription } from '../subscriptions/subscription.js';
import { relayMessage } from './relayed-event.js';

export const RELAY_SUBSCRIPTION = 'relay';
/** Longer than a healthy broker ever takes; a broker that stops confirming is treated as down. */
const CONFIRM_TIMEOUT_MS = 10_000;

export interface EventRelayOptions {
  /** Every event type there is (the registry's): the relay publishes them all. */
  readonly types: readonly string[];
  readonly confirmTimeoutMs?: number;
}

/**
 * The relay to RabbitMQ as a subscription: one partition, so it sees the whole log in order and
 * publishes each batch on one channel in that order, then waits for the broker's confirms
 * before returning, so the checkpoint moves past an event only once RabbitMQ has it. A failure
 * rolls the checkpoint back and the batch is published again: at least once, duplicates possible,
 * never a gap. A broker problem throws `DependencyUnavailable`, so the engine waits and retries
 * rather than dead-lettering.
 */
export const eventRelay = (broker: AmqpBroker, options: EventRelayOptions): Subscription => ({
  name: RELAY_SUBSCRIPTION,
  handles: options.types,
  partitions: 1,
  // An event the broker refuses outright (one publish itself rejects) stops the relay rather
  // than leave a gap: skipping would break "every event, in order".
  errorPolicy: 'stop',
  maxAttempts: 5,
  handle: (_client: PoolClient, events: readonly RecordedEvent[]) => publish(broker, events, options.confirmTimeoutMs ?? CONFIRM_TIMEOUT_MS),
});

const publish = async (broker: AmqpBroker, events: readonly RecordedEvent[], confirmTimeoutMs: number): Promise<void> => {
  const channel = await broker.confirmChannel(confirmTimeoutMs);
  for (const event of events) {
    const { routingKey, content, options } = relayMessage(event);
    try {
      // false only asks to wait for 'drain'; the confirms below wait for everything anyway.
      channel.publish(broker.exchange, routingKey, content, options);
    } catch (error) {
      if (AmqpBroker.isClosedChannel(error)) throw broker.unavailable(error);
      throw error; // this event cannot be encoded (e.g. headers over 64 KiB): its own fault
    }
  }
  const noConfirms = new Error(`no confirms within ${confirmTimeoutMs} ms`);
  try {
    await within(channel.waitForConfirms(), confirmTimeoutMs, noConfirms);
    broker.confirmed();
  } catch (error) {
    // Unconfirmed messages may still arrive: that is the at-least-once. A new channel keeps
    // this one's late confirms out of the next batch's.
    broker.discard(channel);
    if (error === noConfirms) broker.noAnswer(noConfirms.message);
    throw broker.unavailable(error);
  }
};
