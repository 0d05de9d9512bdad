import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../../src/app.factory.js';
import { validateEnvironment } from '../../src/config/environment.js';
import { deterministicEventId, nameBasedId } from '../../src/event-sourcing/aggregates/deterministic-event-id.js';
import { SubscriptionAdmin } from '../../src/event-sourcing/index.js';
import { CommandIds } from '../../src/event-sourcing/aggregates/command-ids.js';
import { sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The events of a command sent with an Idempotency-Key get ids derived from the key, so a
 * retry stores nothing twice. Nobody else may be able to compute those ids: an attacker who
 * appended one first, in their own practice, would make the victim's command fail.
 */
const VICTIM = 'victor';
const ATTACKER = 'mallory';

/** The ids the events of a keyed command got before they were derived with a server secret. */
const publicEventIds = (practiceId: string, userId: string, key: string): string[] => {
  const commandId = createHash('sha256').update([practiceId, userId, key].join('\u0000')).digest('hex').slice(0, 32);
  return [0, 1, 2].map((index) => deterministicEventId(commandId, index));
};

describe('Event ids of keyed commands', () => {
  let app: TestApp;
  let victimPractice: string;
  let attackerPractice: string;

  const reservations = (rest = '') => `/v1/practices/${victimPractice}/reservations${rest}`;
  const book = async (): Promise<string> => {
    const created = await sendJson(app.baseUrl, 'POST', reservations(), app.as(VICTIM), stay());
    expect(created.status).toBe(201);
    return created.body.reservationId as string;
  };
  const keyed = (path: string, key: string) =>
    sendJson(app.baseUrl, 'POST', reservations(path), { ...app.as(VICTIM), 'idempotency-key': key });

  beforeAll(async () => {
    app = await startTestApp();
    victimPractice = await createPractice(app, VICTIM);
    attackerPractice = await createPractice(app, ATTACKER);
  });
  afterAll(() => app.close());

  describe('when an attacker appended, in their own practice, the ids a public hash gives for a victim’s key', () => {
    it('the victim’s keyed command still succeeds', async () => {
      const id = await book();
      const key = `confirm-${id}`;
      for (const [index, eventId] of publicEventIds(victimPractice, VICTIM, key).entries()) {
        const squat = {
          practiceId: attackerPractice,
          aggregateType: 'practice',
          aggregateId: attackerPractice,
          eventType: 'practice.updated',
          payload: { name: `Squat ${index}` },
          eventId,
        };
        expect((await sendJson(app.baseUrl, 'POST', '/v1/events/append', app.as(ATTACKER), squat)).status).toBe(201);
      }

      const confirmed = await keyed(`/${id}/confirm`, key);

      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ status: 'confirmed', version: 2 });
    });
  });

  describe('when an attacker appended first the ids a public hash gives for a saga’s command', () => {
    /** The first event id of the deposit saga's first command on a reservation, as it was derived before it was keyed. */
    const publicSagaEventId = (reservationId: string, triggerId: string): string =>
      deterministicEventId(nameBasedId(`chronicle:saga:reservation-deposit:${reservationId}:${triggerId}:0`), 0);
    const SAGA = 'saga:reservation-deposit';

    it('the saga’s command is still applied', async () => {
      // Paused, the saga lags behind the log, as it does on a busy worker: the attacker's window.
      await app.app.get(SubscriptionAdmin).pause(SAGA);
      const created = await sendJson(app.baseUrl, 'POST', reservations(), app.as(VICTIM), { ...stay(), deposit: { amount: 3000, currency: 'EUR' } });
      expect(created.status).toBe(201);
      const reservationId = created.body.reservationId as string;
      const { rows } = await app.db.pool.query<{ event_id: string }>(
        `SELECT event_id FROM events WHERE aggregate_id = $1 AND type = 'reservation.created'`,
        [reservationId],
      );
      const squat = {
        practiceId: attackerPractice,
        aggregateType: 'practice',
        aggregateId: attackerPractice,
        eventType: 'practice.updated',
        payload: { name: 'Squat' },
        eventId: publicSagaEventId(reservationId, rows[0].event_id),
      };
      expect((await sendJson(app.baseUrl, 'POST', '/v1/events/append', app.as(ATTACKER), squat)).status).toBe(201);
      await app.app.get(SubscriptionAdmin).resume(SAGA);

      const outbox = async () =>
        (await app.db.pool.query<{ type: string; outcome: string | null; attempts: number; last_error: string | null }>(
          `SELECT type, outcome, attempts, last_error FROM saga_commands WHERE instance_key = $1`,
          [reservationId],
        )).rows;
      for (const end = Date.now() + 20_000; Date.now() < end; await sleep(50)) {
        const commands = await outbox();
        if (commands.some((c) => c.outcome !== null || c.attempts > 0)) break;
      }
      expect(await outbox()).toEqual([{ type: 'RequestPayment', outcome: 'applied', attempts: 0, last_error: null }]);
    });
  });

  describe('in two processes on one database', () => {
    let second: NestFastifyApplication;
    beforeAll(async () => {
      const env = validateEnvironment({ DATABASE_URL: app.db.url, PORT: '0', LOG_LEVEL: 'error' });
      second = await createApp(env, { docsUi: false });
    });
    afterAll(() => second.close());

    it('derives the same command id from the same key', () => {
      const scope = [victimPractice, VICTIM, 'some-key', '1764000000000000'];
      expect(second.get(CommandIds).of(scope)).toBe(app.app.get(CommandIds).of(scope));
    });
  });
});
