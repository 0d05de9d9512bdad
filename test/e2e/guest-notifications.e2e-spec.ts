import { setTimeout as sleep } from 'node:timers/promises';
import { MAILER } from '../../src/contexts/notifications/public-api.js';
import type { RecordingMailer } from '../../src/contexts/notifications/infrastructure/recording-mailer.js';
import { AmqpBroker } from '../../src/event-sourcing/index.js';
import { AMQP_URL, describeWithBroker, removeExchange, uniqueExchange, waitFor } from '../support/broker.js';
import { sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The whole path on a real app: HTTP command → event → relay → RabbitMQ → inbox → mail. */
describeWithBroker('guest notifications over RabbitMQ', () => {
  let app: TestApp;
  let mailer: RecordingMailer;
  const exchange = uniqueExchange('e2e');

  beforeAll(async () => {
    app = await startTestApp({ AMQP_URL: AMQP_URL!, AMQP_EXCHANGE: exchange });
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
