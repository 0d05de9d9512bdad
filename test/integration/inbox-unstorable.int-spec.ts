import { randomUUID } from 'node:crypto';
import type { ChannelModel } from 'amqplib';
import type { InboxConsumer } from '../../src/event-sourcing/inbox/inbox-consumer.js';
import { InboxFailures } from '../../src/event-sourcing/inbox/inbox-failures.js';
import { describeWithBroker, waitFor } from '../support/broker.js';
import { inboxRig, type InboxRig } from '../support/inbox-rig.js';
import type { TestDatabase } from '../support/test-database.js';

/** What a handler of these tests does with a message's `data`: `fail` fails its attempt, with that error. */
interface Instructions {
  readonly fail?: string;
  readonly note?: string;
}

/**
 * An inbox consumer given messages PostgreSQL cannot store as they came (a NUL in the message id,
 * `\u0000` in the JSON body, which jsonb refuses), or whose failures it will not record: each
 * message ends, handled, parked or dropped, instead of coming back for ever unseen.
 */
describeWithBroker('an inbox consumer given messages PostgreSQL cannot store as they came', () => {
  const MAX_ATTEMPTS = 3;
  let rig: InboxRig;
  let db: TestDatabase;
  let publisher: ChannelModel;
  const logged: string[] = [];
  const attempts = new Map<string, number>();
  const handled = new Map<string, Instructions>();
  /** Message ids whose handling fails no more (the operator fixed the cause). */
  const cured = new Set<string>();
  const consumer: InboxConsumer = {
    name: 'tests.unstorable',
    bindings: ['*.thing.#'],
    maxAttempts: MAX_ATTEMPTS,
    handle: async (client, event) => {
      attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1);
      const data = event.data as Instructions;
      if (data.fail !== undefined && !cured.has(event.eventId)) throw new Error(data.fail);
      await client.query('SELECT 1');
      handled.set(event.eventId, data);
    },
  };

  beforeAll(async () => {
    const log = (line: string) => logged.push(line);
    rig = await inboxRig('inbox-unstorable', consumer, { retryDelayMs: 20, retryPollMs: 50, log });
    ({ db, publisher } = rig);
    await waitFor('the consumer to declare its queue', async () => rig.broker.isUp() && (await rig.queueExists()));
  });
  afterAll(() => rig?.close());

  /** A relayed event's JSON as text, `data` spliced in as given: it may hold what JSON.stringify would not write. */
  const message = (messageId: string, dataJson = '{}') => ({
    messageId,
    body:
      `{"eventId":${JSON.stringify(messageId)},"type":"thing.happened","data":${dataJson},` +
      `"stream":{"tenantId":"practice-1","aggregateType":"thing","aggregateId":"t-1"}}`,
  });
  const publish = async (...messages: { messageId: string; body: string }[]): Promise<void> => {
    const channel = await publisher.createConfirmChannel();
    for (const { messageId, body } of messages) {
      channel.publish(rig.exchange, 'practice-1.thing.thing.happened', Buffer.from(body), { messageId, persistent: true });
    }
    await channel.waitForConfirms();
    await channel.close();
  };
  const drained = async (): Promise<boolean> => {
    const channel = await publisher.createChannel();
    const { messageCount } = await channel.checkQueue(rig.queue);
    await channel.close();
    return messageCount === 0;
  };
  const failureRows = async (messageId: string) =>
    (
      await db.pool.query<{ id: number; attempts: number; error: string; parked: boolean }>(
        `SELECT id::int, attempts, error, parked_at IS NOT NULL AS parked FROM inbox_failures WHERE message_id = $1`,
        [messageId],
      )
    ).rows;

  it('drops a message whose id holds a NUL without handling it, and handles the messages behind it', async () => {
    const unstorable = `${randomUUID()}\u0000x`;
    const behind = randomUUID();

    await publish(message(unstorable), message(behind));

    await waitFor('the message behind it', () => handled.has(behind));
    await waitFor('the queue to be empty', drained);
    expect(attempts.has(unstorable)).toBe(false);
    expect(logged.filter((line) => line.includes(JSON.stringify(unstorable)))).toEqual([
      `inbox ${consumer.name}: dropped message ${JSON.stringify(unstorable)} (practice-1.thing.thing.happened): ` +
        'no storable message id, or no JSON body',
    ]);
  });

  it('parks a failing message whose body jsonb refuses, keeping it as text, and hands a retry that very body', async () => {
    const messageId = randomUUID();
    // Valid JSON (JSON.parse takes it) that jsonb refuses; the handler's error quotes the NUL too.
    await publish(message(messageId, '{"note":"a\\u0000b","fail":"cannot read a\\u0000b"}'));

    await waitFor('the message to be parked', async () => (await failureRows(messageId))[0]?.parked === true);
    await waitFor('the queue to be empty', drained);
    const [row] = await failureRows(messageId);
    expect(row).toEqual({
      id: expect.any(Number),
      attempts: MAX_ATTEMPTS,
      error: expect.stringMatching(/^cannot read a\ufffdb \(its body is kept as text: PostgreSQL's jsonb refused it: unsupported Unicode/),
      parked: true,
    });
    expect(attempts.get(messageId)).toBe(MAX_ATTEMPTS);

    cured.add(messageId);
    await new InboxFailures(db.pool).requestRetry(row.id);

    await waitFor('the retried message to be handled', () => handled.has(messageId));
    expect(handled.get(messageId)).toEqual({ note: 'a\u0000b', fail: 'cannot read a\u0000b' });
    expect(await failureRows(messageId)).toEqual([]);
  });

  it('drops a message after its attempts when PostgreSQL refuses to record its failures, not requeued for ever', async () => {
    const refused = `refused-${randomUUID()}`;
    const behind = randomUUID();
    await db.pool.query(`
      CREATE FUNCTION refuse_failure() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'no failures of % here', NEW.message_id; END $$;
      CREATE TRIGGER refuse_failure BEFORE INSERT ON inbox_failures FOR EACH ROW
        WHEN (NEW.message_id LIKE 'refused-%') EXECUTE FUNCTION refuse_failure()`);

    await publish(message(refused, '{"fail":"cannot read it"}'), message(behind));

    await waitFor('the message behind it', () => handled.has(behind));
    await waitFor('the drop', () => logged.some((line) => line.includes(`${refused} failed ${MAX_ATTEMPTS} times`)));
    await waitFor('the queue to be empty', drained);
    expect(attempts.get(refused)).toBe(MAX_ATTEMPTS);
    expect(await failureRows(refused)).toEqual([]);
    expect(logged.filter((line) => line.includes(refused)).at(-1)).toBe(
      `inbox ${consumer.name}: message ${refused} failed ${MAX_ATTEMPTS} times and PostgreSQL refuses to record its ` +
        `failures (no failures of ${refused} here): dropped, kept only by a dead-letter exchange of its queue's: cannot read it`,
    );
  });
});
