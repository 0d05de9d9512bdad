import { jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAILER } from '../../src/contexts/notifications/public-api.js';
import type { RecordingMailer } from '../../src/contexts/notifications/infrastructure/recording-mailer.js';
import { AmqpBroker } from '../../src/event-sourcing/index.js';
import { AMQP_URL, describeWithBroker, removeExchange, uniqueExchange, waitFor } from '../support/broker.js';
import { expectErrorCode, sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The whole path on a real app: HTTP command → event → relay → RabbitMQ → inbox → mail. */
describeWithBroker('guest notifications over RabbitMQ', () => {
  let app: TestApp;
  let mailer: RecordingMailer;
  const exchange = uniqueExchange('e2e');

  const OPERATOR = 'ops-inbox';

  beforeAll(async () => {
    app = await startTestApp({ AMQP_URL: AMQP_URL!, AMQP_EXCHANGE: exchange, OPERATOR_USER_IDS: OPERATOR });
    mailer = app.app.get<RecordingMailer>(MAILER);
    await waitFor('the broker connection', () => app.app.get(AmqpBroker).isUp());
  });
  afterAll(async () => {
    await app?.close();
    await removeExchange(exchange, [`${exchange}.notifications.guest-confirmations`]);
  });

  it('mails the guest once when a reservation is confirmed over HTTP', async () => {
    const practice = await createPractice(app, 'olga', { stan: 'staff' });
    const created = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations`, app.as('stan'), {
      guestId: 'g-1',
      guestName: 'Grace Hopper',
      checkInDate: '2031-03-10',
      nights: 2,
    });
    expect(created.status).toBe(201);
    const reservationId = created.body.reservationId as string;

    const confirmed = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations/${reservationId}/confirm`, app.as('stan'));
    expect(confirmed.status).toBe(200);

    await waitFor('the confirmation mail', () => mailer.sent.some((m) => m.reservationId === reservationId), 20_000);
    await sleep(500); // a second mail would come within this
    expect(mailer.sent.filter((m) => m.reservationId === reservationId)).toEqual([
      expect.objectContaining({ tenantId: practice, reservationId, subject: 'Your reservation is confirmed' }),
    ]);
  });

  const confirmedReservation = async (practice: string, guestName: string): Promise<string> => {
    const created = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations`, app.as('stan'), {
      guestId: `g-${guestName}`,
      guestName,
      checkInDate: '2031-04-10',
      nights: 1,
    });
    const reservationId = created.body.reservationId as string;
    const confirmed = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations/${reservationId}/confirm`, app.as('stan'));
    expect(confirmed.status).toBe(200);
    return reservationId;
  };
  const deadLetters = () => sendJson(app.baseUrl, 'GET', '/v1/admin/inbox/dead-letters', app.as(OPERATOR, 'system'));
  const parkedGauge = async (): Promise<string | undefined> => {
    const text = await (await fetch(`${app.baseUrl}/metrics`, { headers: app.as(OPERATOR) })).text();
    return text.split('\n').find((line) => line.startsWith('chronicle_inbox_dead_letters{'));
  };

  it('parks a mail that keeps failing, shows it to operators only, and sends it once on their retry', async () => {
    const practice = await createPractice(app, 'olga', { stan: 'staff' });
    const send = mailer.send.bind(mailer);
    const refused = jest.spyOn(mailer, 'send').mockImplementation((mail) => (mail.tenantId === practice ? Promise.reject(new Error('550 mailbox unavailable')) : send(mail)));
    const reservationId = await confirmedReservation(practice, 'Ada Lovelace');

    // Five attempts a second apart, then the message is taken off the queue and kept.
    await waitFor('the mail to be parked', async () => ((await deadLetters()).body.deadLetters as unknown[]).length === 1, 20_000);
    const parked = (await deadLetters()).body.deadLetters as Record<string, unknown>[];
    expect(parked).toEqual([
      expect.objectContaining({
        consumer: 'notifications.guest-confirmations',
        routingKey: `${practice}.reservation.reservation.confirmed`,
        eventType: 'reservation.confirmed',
        error: '550 mailbox unavailable',
        attempts: 5,
        retryRequestedAt: null,
      }),
    ]);
    expect(refused.mock.calls.filter(([mail]) => mail.reservationId === reservationId)).toHaveLength(5);
    expect(await parkedGauge()).toBe('chronicle_inbox_dead_letters{consumer="notifications.guest-confirmations"} 1');
    const id = parked[0].id as number;
    for (const caller of [app.as('stan'), app.as('olga')]) {
      expectErrorCode(await sendJson(app.baseUrl, 'GET', '/v1/admin/inbox/dead-letters', caller), 403, 'OPERATORS_ONLY');
      expectErrorCode(await sendJson(app.baseUrl, 'POST', `/v1/admin/inbox/dead-letters/${id}/retry`, caller), 403, 'OPERATORS_ONLY');
    }
    expectErrorCode(await sendJson(app.baseUrl, 'POST', `/v1/admin/inbox/dead-letters/${id + 1000}/retry`, app.as(OPERATOR, 'system')), 404, 'DEAD_LETTER_NOT_FOUND');

    refused.mockRestore();
    const retried = await sendJson(app.baseUrl, 'POST', `/v1/admin/inbox/dead-letters/${id}/retry`, app.as(OPERATOR, 'system'));

    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id, retryRequestedAt: expect.any(String) });
    await waitFor('the retried mail', () => mailer.sent.some((m) => m.reservationId === reservationId));
    await waitFor('the dead letter to be gone', async () => ((await deadLetters()).body.deadLetters as unknown[]).length === 0);
    expect(mailer.sent.filter((m) => m.reservationId === reservationId)).toHaveLength(1);
    expect(await parkedGauge()).toBeUndefined();
  });

  it('reports RabbitMQ in /health: up while connected, 503 naming it once the connection is gone', async () => {
    const up = await fetch(`${app.baseUrl}/health`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, broker: { status: 'up' } } });

    await app.app.get(AmqpBroker).stop();

    const down = await fetch(`${app.baseUrl}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: { details: { error: { broker: { status: 'down' } } } } });
  });
});
