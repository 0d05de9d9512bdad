import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelModel } from 'amqplib';
import { guestConfirmationConsumer } from '../../src/contexts/notifications/application/guest-confirmation.consumer.js';
import { RecordingMailer } from '../../src/contexts/notifications/infrastructure/recording-mailer.js';
import type { AmqpBroker } from '../../src/event-sourcing/broker/amqp-broker.js';
import { describeWithBroker, failChannelsOf, waitFor } from '../support/broker.js';
import { inboxRig, type InboxRig } from '../support/inbox-rig.js';
import type { TestDatabase } from '../support/test-database.js';

/** The inbox on real PostgreSQL and RabbitMQ, with the guest-confirmation consumer and its recording mailer. */
describeWithBroker('the inbox of a RabbitMQ consumer', () => {
  let rig: InboxRig;
  let db: TestDatabase;
  let broker: AmqpBroker;
  let publisher: ChannelModel;
  let exchange: string;
  let queue: string;
  const mailer = new RecordingMailer();
  const consumer = guestConfirmationConsumer(mailer);
  /** What the runner and the broker logged, with whether the broker read as up right after. */
  const logged: { line: string; up: boolean }[] = [];

  beforeAll(async () => {
    const log = (line: string) => logged.push({ line, up: rig.broker.isUp() });
    rig = await inboxRig('inbox', consumer, { retryDelayMs: 50, log });
    ({ db, broker, publisher, exchange, queue } = rig);
  });
  afterAll(() => rig?.close());

  /** A `reservation.confirmed` as the relay publishes it. */
  const confirmation = (eventId: string, reservationId: string) => ({
    routingKey: `practice-1.reservation.reservation.confirmed`,
    content: Buffer.from(
      JSON.stringify({
        eventId,
        stream: { tenantId: 'practice-1', aggregateType: 'reservation', aggregateId: reservationId },
        version: 2,
        position: 7,
        type: 'reservation.confirmed',
        schemaVersion: 1,
        data: { confirmedAt: '2027-03-01T09:30:00.000Z' },
        metadata: { actor: { type: 'human', id: 'ada' } },
        occurredAt: '2027-03-01T09:30:00.000Z',
        recordedAt: '2027-03-01T09:30:00.000Z',
      }),
    ),
    options: { messageId: eventId, persistent: true, contentType: 'application/json' },
  });

  const publish = async (...messages: ReturnType<typeof confirmation>[]): Promise<void> => {
    const channel = await publisher.createConfirmChannel();
    for (const { routingKey, content, options } of messages) channel.publish(exchange, routingKey, content, options);
    await channel.waitForConfirms();
    await channel.close();
  };
  const inboxRows = async (messageId: string) =>
    (await db.pool.query(`SELECT consumer FROM inbox WHERE message_id = $1`, [messageId])).rows;
  /** Every message taken and acked: the queue is empty and nothing is unacked. */
  const drained = async (): Promise<boolean> => {
    const channel = await publisher.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount === 0;
  };

  it('sends one mail for a message delivered twice, and records its id once', async () => {
    await waitFor('the consumer to declare its queue', () => broker.isUp());
    await sleep(200);
    const eventId = randomUUID();
    const reservationId = `r-${randomUUID()}`;

    await publish(confirmation(eventId, reservationId), confirmation(eventId, reservationId));

    await waitFor('the first mail', () => mailer.sent.some((m) => m.causedBy === eventId));
    await waitFor('both deliveries to be acked', drained);
    await sleep(300);
    expect(mailer.sent.filter((m) => m.causedBy === eventId)).toEqual([
      { causedBy: eventId, tenantId: 'practice-1', reservationId, subject: 'Your reservation is confirmed', text: `Your reservation ${reservationId} was confirmed on 2027-03-01.` },
    ]);
    expect(await inboxRows(eventId)).toEqual([{ consumer: consumer.name }]);
  });

  it('handles two different messages once each, in the order they were published', async () => {
    const [first, second]: string[] = [randomUUID(), randomUUID()];

    await publish(confirmation(first, 'r-first'), confirmation(second, 'r-second'), confirmation(first, 'r-first'));

    await waitFor('both mails', () => mailer.sent.some((m) => m.causedBy === second));
    await waitFor('every delivery to be acked', drained);
    await sleep(300);
    expect(mailer.sent.filter((m) => [first, second].includes(m.causedBy)).map((m) => m.reservationId)).toEqual(['r-first', 'r-second']);
  });

  /** Publishes a confirmation again and again (as the relay would each event) until its mail is sent. */
  const mailedAfterPublishing = async (reservationId: string): Promise<void> => {
    const eventId = randomUUID();
    await waitFor(`a mail for ${reservationId}`, async () => {
      if (!mailer.sent.some((m) => m.causedBy === eventId)) await publish(confirmation(eventId, reservationId));
      await sleep(200);
      return mailer.sent.some((m) => m.causedBy === eventId);
    });
  };

  it('declares its queue again and consumes on when the queue is deleted under it, reading as down meanwhile', async () => {
    await mailedAfterPublishing('r-before-deletion');
    const admin = await publisher.createChannel();
    await admin.deleteQueue(queue);
    await admin.close();

    await mailedAfterPublishing('r-after-deletion');

    const stopped = logged.find(({ line }) => line.includes('stopped consuming on a live connection'));
    expect(stopped).toEqual({ line: expect.stringContaining(`RabbitMQ cancelled it: its queue ${queue} was deleted`), up: false });
    expect(logged.at(-1)).toEqual({ line: `inbox ${consumer.name}: consuming again`, up: true });
  });

  it('consumes again on a new channel when RabbitMQ closes its channel and keeps the connection', async () => {
    const before = logged.length;

    expect(await failChannelsOf(rig.connectionName)).toBe(1);

    await waitFor('the consumer to consume again', () => logged.slice(before).some(({ line }) => line.endsWith('consuming again')));
    await mailedAfterPublishing('r-after-channel-closed');
    expect(logged.slice(before).map((entry) => entry.line)).toEqual([
      expect.stringContaining('PRECONDITION_FAILED'),
      `inbox ${consumer.name}: stopped consuming on a live connection (its channel closed); setting it up again`,
      `inbox ${consumer.name}: consuming again`,
    ]);
    expect(broker.isUp()).toBe(true);
  });
});
