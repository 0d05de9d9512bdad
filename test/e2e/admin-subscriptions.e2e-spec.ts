import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpBroker } from '../../src/event-sourcing/index.js';
import { AMQP_URL, describeWithBroker, removeExchange, tap, uniqueExchange, waitFor, type Tap } from '../support/broker.js';
import { sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { runCli } from '../support/processes.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Subscriptions that are no projection, the relay above all, through the operators' tools: a
 * dead letter of the relay retried (the route the event browser's Retry button posts to, and the
 * CLI), the relay paused and resumed by its subscription name, from the API and the CLI. The
 * relay stops at a dead letter (its policy is 'stop'), so until then nothing more reaches RabbitMQ.
 * When running this file alone, build first: `npx tsc -p tsconfig.build.json` (the CLI is dist's).
 */
describeWithBroker('Admin API and CLI for subscriptions that are no projection (the relay)', () => {
  const OWNER = 'olga';
  const OPERATOR = 'ops';
  const exchange = uniqueExchange('admin-subscriptions');
  let app: TestApp;
  let practice: string;
  let messages: Tap;

  const admin = (method: string, path: string) => sendJson(app.baseUrl, method, path, app.as(OPERATOR));
  const relayStatus = async () =>
    (await app.db.pool.query<{ status: string }>(`SELECT status FROM projection_controls WHERE projection = 'relay'`)).rows[0]?.status ?? 'running';
  const book = async (): Promise<string> => {
    const created = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations`, app.as(OWNER), stay());
    expect(created.status).toBe(201);
    return created.body.reservationId as string;
  };
  /** Until the reservation's creation has been published (polls for up to `ms`). */
  const published = async (reservationId: string, ms = 20_000): Promise<boolean> => {
    for (const until = Date.now() + ms; Date.now() < until; await sleep(50)) {
      if (messages.received.some((m) => (m.body.stream as { aggregateId?: string } | undefined)?.aggregateId === reservationId)) return true;
    }
    return false;
  };

  /** Dead-letters the first event of the practice for the relay, and stops it, as PartitionRunner does after the relay's last attempt. */
  const stopRelayAtADeadLetter = async (): Promise<number> => {
    const { rows } = await app.db.pool.query<{ event_id: string; position: string; transaction_id: string; stream: string; type: string }>(
      `SELECT event_id, position, transaction_id::text, tenant_id || '/' || aggregate_type || '/' || aggregate_id AS stream, type
       FROM events WHERE tenant_id = $1 ORDER BY position LIMIT 1`,
      [practice],
    );
    const event = rows[0];
    const { rows: letters } = await app.db.pool.query<{ id: number }>(
      `INSERT INTO projection_dead_letters (projection, partition, event_id, position, transaction_id, stream, event_type, error, stack, attempts)
       VALUES ('relay', 0, $1, $2, $3::xid8, $4, $5, 'headers over 64 KiB', null, 5)
       ON CONFLICT (projection, event_id) DO UPDATE SET retried_at = NULL RETURNING id::int`,
      [event.event_id, event.position, event.transaction_id, event.stream, event.type],
    );
    await app.db.pool.query(
      `INSERT INTO projection_controls (projection, status, last_error) VALUES ('relay', 'stopped', 'headers over 64 KiB')
       ON CONFLICT (projection) DO UPDATE SET status = 'stopped', last_error = excluded.last_error`,
    );
    return letters[0].id;
  };

  beforeAll(async () => {
    app = await startTestApp({ AMQP_URL: AMQP_URL!, AMQP_EXCHANGE: exchange, OPERATOR_USER_IDS: OPERATOR });
    await waitFor('the broker', () => app.app.get(AmqpBroker).isUp());
    messages = await tap(exchange);
    practice = await createPractice(app, OWNER);
  });
  afterAll(async () => {
    await messages?.close();
    await app?.close();
    await removeExchange(exchange, []);
  });

  it('retries a relay dead letter through the dead-letter route: the relay runs again and publishes what waited', async () => {
    const id = await stopRelayAtADeadLetter();
    const waiting = await book();
    expect(await relayStatus()).toBe('stopped');

    const listed = await admin('GET', '/v1/admin/dead-letters');
    expect(listed.body.deadLetters).toEqual([expect.objectContaining({ id, projection: 'relay', retriedAt: null })]);
    const retried = await admin('POST', `/v1/admin/dead-letters/${id}/retry`);
    expect({ status: retried.status, projection: retried.body.projection, retried: typeof retried.body.retriedAt }).toEqual({
      status: 200,
      projection: 'relay',
      retried: 'string',
    });
    expect(await relayStatus()).toBe('running');
    expect(await published(waiting)).toBe(true);
    // The saga route still refuses what is not a saga's.
    const asSaga = await admin('POST', `/v1/admin/sagas/dead-letters/${id}/retry`);
    expect([asSaga.status, asSaga.body.error?.code]).toEqual([404, 'DEAD_LETTER_NOT_FOUND']);
  }, 60_000);

  it('lists the relay among the subscriptions, and pauses and resumes it by name', async () => {
    const listed = await admin('GET', '/v1/admin/subscriptions');
    expect(listed.status).toBe(200);
    const names = (listed.body.subscriptions as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['relay', 'occupancy', 'saga:reservation-deposit']));
    expect(await admin('GET', '/v1/admin/subscriptions/relay')).toMatchObject({
      status: 200,
      body: { name: 'relay', status: 'running', paused: false, partitions: 1, deadLetters: 0 },
    });

    expect((await admin('POST', '/v1/admin/subscriptions/relay/pause')).body).toMatchObject({ name: 'relay', paused: true });
    const held = await book();
    expect(await published(held, 2_000)).toBe(false);
    await stopRelayAtADeadLetter();
    const resumed = await admin('POST', '/v1/admin/subscriptions/relay/resume');
    expect(resumed).toMatchObject({ status: 200, body: { name: 'relay', paused: false, status: 'running' } });
    expect(await published(held)).toBe(true);
  }, 60_000);

  it('answers 404 SUBSCRIPTION_NOT_FOUND to a name no worker ran, and 403 to a practice owner', async () => {
    for (const [method, path] of [
      ['GET', '/v1/admin/subscriptions/no-such'],
      ['POST', '/v1/admin/subscriptions/no-such/pause'],
      ['POST', '/v1/admin/subscriptions/no-such/resume'],
    ]) {
      const reply = await admin(method, path);
      expect({ path, status: reply.status, code: reply.body.error?.code }).toEqual({ path, status: 404, code: 'SUBSCRIPTION_NOT_FOUND' });
    }
    for (const [method, path] of [
      ['GET', '/v1/admin/subscriptions'],
      ['POST', '/v1/admin/subscriptions/relay/pause'],
      ['POST', '/v1/admin/subscriptions/relay/resume'],
    ]) {
      const reply = await sendJson(app.baseUrl, method, path, app.as(OWNER));
      expect({ path, status: reply.status, code: reply.body.error?.code }).toEqual({ path, status: 403, code: 'OPERATORS_ONLY' });
    }
    expect(await relayStatus()).toBe('running');
  });

  it('retries a relay dead letter and resumes the relay from the CLI', async () => {
    const id = await stopRelayAtADeadLetter();
    const retried = await runCli(app.db.url, ['dead-letters:retry', String(id)]);
    expect({ code: retried.code, stderr: retried.stderr }).toEqual({ code: 0, stderr: '' });
    expect(retried.stdout).toMatch(new RegExp(`^dead letter ${id} \\(relay, event [0-9a-f-]+\\) retried at \\S+\\n$`));
    expect(await relayStatus()).toBe('running');

    await stopRelayAtADeadLetter();
    const resumed = await runCli(app.db.url, ['subscriptions:resume', 'relay']);
    expect({ code: resumed.code, stdout: resumed.stdout, stderr: resumed.stderr }).toEqual({ code: 0, stdout: 'relay resumed: running\n', stderr: '' });
    expect(await relayStatus()).toBe('running');
    expect(await published(await book())).toBe(true);

    const unknown = await runCli(app.db.url, ['subscriptions:resume', 'no-such']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No subscription named no-such');
    expect((await runCli(app.db.url, ['dead-letters:retry', '999999'])).code).toBe(1);
  }, 60_000);
});
