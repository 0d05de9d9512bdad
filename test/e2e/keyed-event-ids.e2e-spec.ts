import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import { createApp } from '../../src/app.factory.js';
import { validateEnvironment } from '../../src/config/environment.js';
import { deterministicEventId } from '../../src/event-sourcing/aggregates/deterministic-event-id.js';
import { sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The events of a command sent with an Idempotency-Key get ids derived from the key, so a
 * retry stores nothing twice. Nobody else may be able to compute those ids: an attacker who
 * appended one first, in their own practice, would make the victim's command fail.
 */
const VICTIM = 'victor';
const ATTACKER = 'mallory';
const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

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
    const stay = { guestId: 'g-1', guestName: 'Ada Lovelace', checkInDate: day(10), nights: 2 };
    const created = await sendJson(app.baseUrl, 'POST', reservations(), app.as(VICTIM), stay);
    expect(created.status).toBe(201);
    return created.body.reservationId as string;
  };
  const keyed = (baseUrl: string, path: string, key: string, body?: unknown) =>
    sendJson(baseUrl, 'POST', reservations(path), { ...app.as(VICTIM), 'idempotency-key': key }, body);

  beforeAll(async () => {
    app = await startTestApp();
    victimPractice = await createPractice(app, VICTIM);
    attackerPractice = await createPractice(app, ATTACKER);
  });
  afterAll(() => app.close());

  describe('when an attacker appended, in their own practice, the ids the public formula gives for a victim’s key', () => {
    it('the victim’s keyed command still succeeds', async () => {
      const id = await book();
      const key = `confirm-${id}`;
      for (const [index, eventId] of publicEventIds(victimPractice, VICTIM, key).entries()) {
        const squat = { practiceId: attackerPractice, aggregateType: 'practice', aggregateId: attackerPractice, eventType: 'practice.updated', payload: { name: `Squat ${index}` }, eventId };
        expect((await sendJson(app.baseUrl, 'POST', '/v1/events/append', app.as(ATTACKER), squat)).status).toBe(201);
      }

      const confirmed = await keyed(app.baseUrl, `/${id}/confirm`, key);

      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ status: 'confirmed', version: 2 });
    });
  });

  describe('when a keyed command reaches another process after its stored answer is gone', () => {
    let second: NestFastifyApplication;
    let secondUrl: string;
    beforeAll(async () => {
      second = await createApp(validateEnvironment({ DATABASE_URL: app.db.url, PORT: '0', LOG_LEVEL: 'error' }), { docsUi: false });
      await second.listen(0, '127.0.0.1');
      const address = second.getHttpServer().address();
      secondUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(() => second.close());

    it('derives the same event ids there, so the retry appends nothing', async () => {
      const id = await book();
      const key = `change-${id}`;
      const dates = { checkInDate: day(12), nights: 3 };
      const first = await keyed(app.baseUrl, `/${id}/change`, key, dates);
      await app.db.pool.query(`DELETE FROM idempotency_keys WHERE key = $1`, [key]);

      // Decided again on the changed reservation, the change is allowed again: only its event id shows it is a retry.
      const retried = await keyed(secondUrl, `/${id}/change`, key, dates);

      expect(first.body).toMatchObject({ status: 'pending', version: 2 });
      expect({ status: retried.status, body: retried.body }).toEqual({ status: first.status, body: first.body });
      const stored = await app.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE aggregate_id = $1`, [id]);
      expect(stored.rows[0].n).toBe(2);
    });
  });
});
