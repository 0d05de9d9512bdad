import { randomUUID } from 'node:crypto';
import type { ChannelModel } from 'amqplib';
import type { InboxConsumer } from '../../src/event-sourcing/inbox/inbox-consumer.js';
import { InboxFailures } from '../../src/event-sourcing/inbox/inbox-failures.js';
import { DeadLetterNotFound } from '../../src/event-sourcing/projections/projection-admin.errors.js';
import { DependencyUnavailable } from '../../src/event-sourcing/subscriptions/dependency-unavailable.js';
import { describeWithBroker, waitFor } from '../support/broker.js';
import { inboxRig, type InboxRig } from '../support/inbox-rig.js';
import type { TestDatabase } from '../support/test-database.js';

/** `lose connection`: the handler's own PostgreSQL backend is terminated under it, as in a failover. */
type Outcome = 'handled' | 'lose connection' | Error;

/**
 * An inbox consumer whose handling keeps failing, on real PostgreSQL and RabbitMQ: its attempts
 * are counted, the last one parks the message (off the queue, so the messages behind it go on),
 * a failure that is not the message's fault is not counted, and an operator's retry handles a
 * parked message once its cause is fixed.
 */
describeWithBroker('an inbox consumer whose messages fail', () => {
  const MAX_ATTEMPTS = 3;
  let rig: InboxRig;
  let db: TestDatabase;
  let failures: InboxFailures;
  let publisher: ChannelModel;
  let exchange: string;
  let queue: string;
  /** What the n-th attempt at a message does (`handled` unless planned otherwise). */
  const plans = new Map<string, (attempt: number) => Outcome>();
  const attempts = new Map<string, number>();
  const handled: string[] = [];
  const consumer: InboxConsumer = {
    name: 'tests.flaky',
    bindings: ['*.thing.#'],
    maxAttempts: MAX_ATTEMPTS,
    handle: async (client, event) => {
      const attempt = (attempts.get(event.eventId) ?? 0) + 1;
      attempts.set(event.eventId, attempt);
      const outcome = plans.get(event.eventId)?.(attempt) ?? 'handled';
      if (outcome instanceof Error) throw outcome;
      if (outcome === 'lose connection') await client.query(`SELECT pg_terminate_backend(pg_backend_pid())`);
      await client.query(`SELECT 1`);
      handled.push(event.eventId);
    },
  };

  beforeAll(async () => {
    rig = await inboxRig('inbox-failures', consumer, { retryDelayMs: 20, retryPollMs: 50 });
    ({ db, publisher, exchange, queue } = rig);
    failures = new InboxFailures(db.pool);
    await waitFor('the consumer to declare its queue', async () => rig.broker.isUp() && (await rig.queueExists()));
  });
  afterAll(() => rig?.close());

  /** Messages published in order, each a relayed event of its own. */
  const publish = async (...eventIds: string[]): Promise<void> => {
    const channel = await publisher.createConfirmChannel();
    for (const eventId of eventIds) {
      const event = { eventId, stream: { tenantId: 'practice-1', aggregateType: 'thing', aggregateId: 't-1' }, type: 'thing.happened', data: {} };
      channel.publish(exchange, 'practice-1.thing.thing.happened', Buffer.from(JSON.stringify(event)), { messageId: eventId, persistent: true });
    }
    await channel.waitForConfirms();
    await channel.close();
  };
  const drained = async (): Promise<boolean> => {
    const channel = await publisher.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount === 0;
  };
  const failureRow = async (messageId: string) =>
    (
      await db.pool.query<{ attempts: number; error: string; parked: boolean; retry_requested: boolean }>(
        `SELECT attempts, error, parked_at IS NOT NULL AS parked, retry_requested_at IS NOT NULL AS retry_requested
         FROM inbox_failures WHERE consumer = $1 AND message_id = $2`,
        [consumer.name, messageId],
      )
    ).rows[0];
  const inInbox = async (messageId: string): Promise<boolean> =>
    (await db.pool.query(`SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = $2`, [consumer.name, messageId])).rowCount === 1;
  const parkedIdOf = async (messageId: string): Promise<number> => {
    const letter = (await failures.list(consumer.name)).find((parked) => parked.messageId === messageId);
    if (!letter) throw new Error(`${messageId} is not parked`);
    return letter.id;
  };

  const poison = randomUUID();
  let poisonCured = false;

  it(`parks a message after ${MAX_ATTEMPTS} failed attempts, acks it off the queue and handles the messages behind it`, async () => {
    plans.set(poison, () => (poisonCured ? 'handled' : new Error('the handler cannot read this message')));
    const behind = [randomUUID(), randomUUID(), randomUUID()];

    await publish(poison, ...behind);

    await waitFor('the messages behind it', () => behind.every((id) => handled.includes(id)));
    await waitFor('the poisoned message to be parked', async () => (await failureRow(poison))?.parked === true);
    await waitFor('the queue to be empty', drained);
    expect(attempts.get(poison)).toBe(MAX_ATTEMPTS);
    expect(await failureRow(poison)).toEqual({ attempts: MAX_ATTEMPTS, error: 'the handler cannot read this message', parked: true, retry_requested: false });
    expect(await inInbox(poison)).toBe(false);
    expect(await failures.list(consumer.name)).toEqual([
      expect.objectContaining({
        consumer: consumer.name,
        messageId: poison,
        routingKey: 'practice-1.thing.thing.happened',
        eventType: 'thing.happened',
        attempts: MAX_ATTEMPTS,
        error: 'the handler cannot read this message',
        retryRequestedAt: null,
      }),
    ]);
    expect(await failures.parkedByConsumer()).toEqual(new Map([[consumer.name, 1]]));
  });

  it('forgets the failures of a message once an attempt at it succeeds', async () => {
    const flaky = randomUUID();
    plans.set(flaky, (attempt) => (attempt === 1 ? new Error('a passing fault') : 'handled'));

    await publish(flaky);

    await waitFor('the second attempt to succeed', () => inInbox(flaky));
    expect(attempts.get(flaky)).toBe(2);
    expect(await failureRow(flaky)).toBeUndefined();
    expect(handled.filter((id) => id === flaky)).toEqual([flaky]);
  });

  it('does not count a dependency that is down: the message waits for it, however long, and is never parked', async () => {
    const waiting = randomUUID();
    const outage = MAX_ATTEMPTS + 2;
    plans.set(waiting, (attempt) => (attempt <= outage ? new DependencyUnavailable('the mail server', 'connection refused') : 'handled'));

    await publish(waiting);

    await waitFor('the message to be handled after the outage', () => inInbox(waiting));
    expect(attempts.get(waiting)).toBe(outage + 1);
    expect(await failureRow(waiting)).toBeUndefined();
  });

  it('does not count a connection to PostgreSQL lost under the handler: the message is handled once it holds', async () => {
    const cutOff = randomUUID();
    const failovers = MAX_ATTEMPTS + 1;
    plans.set(cutOff, (attempt) => (attempt <= failovers ? 'lose connection' : 'handled'));

    await publish(cutOff);

    await waitFor('the message to be handled after the failovers', () => inInbox(cutOff));
    expect(attempts.get(cutOff)).toBe(failovers + 1);
    expect(await failureRow(cutOff)).toBeUndefined();
  });

  it('keeps a parked message parked, with the new error, when its retry fails again', async () => {
    const id = await parkedIdOf(poison);

    const asked = await failures.requestRetry(id);

    expect(asked).toMatchObject({ id, messageId: poison, retryRequestedAt: expect.any(String) });
    await waitFor('the retry to be tried', async () => (await failureRow(poison))?.retry_requested === false);
    expect(await failureRow(poison)).toEqual({ attempts: MAX_ATTEMPTS + 1, error: 'the handler cannot read this message', parked: true, retry_requested: false });
    expect(await inInbox(poison)).toBe(false);
  });

  it('handles a parked message once on an operator’s retry, after its cause is fixed, and forgets it', async () => {
    poisonCured = true;

    await failures.requestRetry(await parkedIdOf(poison));

    await waitFor('the retried message to be handled', () => inInbox(poison));
    expect(await failureRow(poison)).toBeUndefined();
    expect(handled.filter((id) => id === poison)).toEqual([poison]);
    expect(await failures.list()).toEqual([]);
    expect(await failures.parkedByConsumer()).toEqual(new Map());
  });

  it('refuses a retry of a message that is not parked', async () => {
    const failing = randomUUID();
    plans.set(failing, (attempt) => (attempt === 1 ? new Error('once') : 'handled'));
    await db.pool.query(
      `INSERT INTO inbox_failures (consumer, message_id, routing_key, message, error, attempts) VALUES ($1, $2, 'k', '{}', 'once', 1)`,
      [consumer.name, failing],
    );
    const { rows } = await db.pool.query<{ id: number }>(`SELECT id::int FROM inbox_failures WHERE message_id = $1`, [failing]);

    await expect(failures.requestRetry(rows[0].id)).rejects.toBeInstanceOf(DeadLetterNotFound);
    await expect(failures.requestRetry(987_654)).rejects.toBeInstanceOf(DeadLetterNotFound);
    await expect(failures.requestRetry(2 ** 64)).rejects.toBeInstanceOf(DeadLetterNotFound);
  });
});
