import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectError, sendJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The saga outbox as operators see it over HTTP: commands not sent yet, with their failures,
 * and giving one up, which the app's own sender then carries out at its next claim.
 */
describe('Admin API: saga commands', () => {
  const OPERATOR = 'ops';
  const OTHER_OPERATOR = 'ops-2';
  const SAGA = 'reservation-deposit';
  let app: TestApp;

  const commands = (query = '') => sendJson(app.baseUrl, 'GET', `/v1/admin/sagas/commands${query}`, app.as(OPERATOR));
  const giveUp = (commandId: string, userId = OPERATOR) =>
    sendJson(app.baseUrl, 'POST', `/v1/admin/sagas/commands/${commandId}/give-up`, app.as(userId), {});
  /** A command the app's sender leaves alone until `claimedFor` seconds from now: its claim holds it. */
  const failingCommand = async (claimedFor: number, sent = false): Promise<string> => {
    const commandId = randomUUID();
    await app.db.pool.query(
      `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id,
         claimed_until, attempts, last_error, last_failed_at, sent_at, outcome)
       VALUES ($1, $2, 'practice-x', $3, 'payment', 'RequestPayment', '{}', 'c-1', 'e-1',
         clock_timestamp() + make_interval(secs => $4), 3, 'boom', clock_timestamp(), CASE WHEN $5 THEN clock_timestamp() END,
         CASE WHEN $5 THEN 'applied' END)`,
      [commandId, SAGA, randomUUID(), claimedFor, sent],
    );
    return commandId;
  };
  const outcomeOf = async (commandId: string) =>
    (await app.db.pool.query(`SELECT outcome, error FROM saga_commands WHERE command_id = $1`, [commandId])).rows[0];

  beforeAll(async () => {
    app = await startTestApp({ OPERATOR_USER_IDS: `${OPERATOR},${OTHER_OPERATOR}` });
  });
  afterAll(() => app.close());

  it('lists the commands not sent yet, oldest first, with their attempts and last error', async () => {
    const commandId = await failingCommand(3600);
    const reply = await commands(`?saga=${SAGA}`);
    expect(reply.status).toBe(200);
    expect(reply.body.commands).toContainEqual(
      expect.objectContaining({ commandId, saga: SAGA, type: 'RequestPayment', attempts: 3, lastError: 'boom', giveUpBy: null }),
    );
    expect((await commands('?saga=another')).body.commands).toEqual([]);
  });

  it('answers a give-up 202 with the command, and the app’s sender records it refused GIVEN_UP at its next claim', async () => {
    const commandId = await failingCommand(1);
    const reply = await giveUp(commandId);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ commandId, giveUpBy: OPERATOR });

    let outcome = await outcomeOf(commandId);
    for (const end = Date.now() + 10_000; outcome.outcome === null && Date.now() < end; outcome = await outcomeOf(commandId)) await sleep(50);
    expect(outcome).toMatchObject({ outcome: 'refused', error: expect.objectContaining({ code: 'GIVEN_UP' }) });
    expect((await commands()).body.commands.map((c: { commandId: string }) => c.commandId)).not.toContain(commandId);
  });

  it('keeps the first operator who asked on record when another asks again', async () => {
    const commandId = await failingCommand(3600);
    expect((await giveUp(commandId)).status).toBe(202);
    const again = await giveUp(commandId, OTHER_OPERATOR);
    expect(again.status).toBe(202);
    expect(again.body.giveUpBy).toBe(OPERATOR);
  });

  it('refuses to give up a command sent already (409), or one it does not know (404)', async () => {
    expectError(await giveUp(await failingCommand(0, true)), 409, 'SAGA_COMMAND_ALREADY_SENT');
    expectError(await giveUp(randomUUID()), 404, 'SAGA_COMMAND_NOT_FOUND');
    expect((await giveUp('not-a-uuid')).status).toBe(400);
  });

  it('is for operators only', async () => {
    const commandId = await failingCommand(3600);
    expectError(await giveUp(commandId, 'mallory'), 403, 'OPERATORS_ONLY');
    expect((await sendJson(app.baseUrl, 'GET', '/v1/admin/sagas/commands', app.as('mallory'))).status).toBe(403);
    expect((await outcomeOf(commandId)).outcome).toBeNull();
  });
});
