import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AggregateCatalog } from '../../src/event-sourcing/aggregates/aggregate-catalog.js';
import { AggregateRepository } from '../../src/event-sourcing/aggregates/aggregate-repository.js';
import { PersonalData } from '../../src/event-sourcing/personal-data/personal-data.js';
import { SagaRuntime } from '../../src/event-sourcing/sagas/saga-runtime.js';
import { Sagas } from '../../src/event-sourcing/sagas/sagas.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { PostgresSubscriptionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { postProviderCallback } from '../support/payment-provider.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The reservation deposit saga end to end: HTTP, real workers, the fake provider answering by
 * itself (…13 fails, …42 never answers, anything else is captured), a deadline of 10 s.
 */
describe('reservations with a deposit', () => {
  // Long enough that the provider's answer beats it on a busy machine: under the whole suite on
  // CI's shared server the chain took past 2 s, then past 5 s (the log's readers wait behind any
  // open transaction on the server, another file's too, and some files hold one for seconds).
  const DEADLINE_SECONDS = 10;
  let app: TestApp;
  let practice: string;

  const reservationsPath = () => `/v1/practices/${practice}/reservations`;
  const book = async (amount: number | null, correlationId?: string): Promise<string> => {
    const headers = { ...app.as('owner'), ...(correlationId ? { 'x-correlation-id': correlationId } : {}) };
    const body = amount === null ? stay() : { ...stay(), deposit: { amount, currency: 'EUR' } };
    const created = await sendJson(app.baseUrl, 'POST', reservationsPath(), headers, body);
    expect(created.status).toBe(201);
    return created.body.reservationId as string;
  };
  const reservation = (id: string) => sendJson(app.baseUrl, 'GET', `${reservationsPath()}/${id}`, app.as('owner'));
  const payment = (id: string) => sendJson(app.baseUrl, 'GET', `/v1/practices/${practice}/payments/${id}`, app.as('owner'));
  const eventually = async (read: () => Promise<Reply>, until: (reply: Reply) => boolean, ms = 15_000): Promise<Reply> => {
    const end = Date.now() + ms;
    for (;;) {
      const reply = await read();
      if (until(reply) || Date.now() > end) return reply;
      await sleep(50);
    }
  };
  const statusOf = (reply: Reply) => reply.body?.status as string | undefined;
  const sagas = (query: string) => sendJson(app.baseUrl, 'GET', `/v1/admin/sagas${query}`, app.as('ops'));

  beforeAll(async () => {
    app = await startTestApp({ FAKE_PROVIDER_DELAY_MS: '50', DEPOSIT_DEADLINE_SECONDS: String(DEADLINE_SECONDS), OPERATOR_USER_IDS: 'ops' });
    practice = await createPractice(app, 'owner');
  });
  afterAll(() => app.close());

  it('is confirmed once the deposit is captured; the whole chain is one correlation, in causal order', async () => {
    const id = await book(5000, 'booking-deposit-1');

    expect(statusOf(await eventually(() => reservation(id), (r) => statusOf(r) === 'confirmed'))).toBe('confirmed');
    expect(statusOf(await payment(id))).toBe('captured');
    const chain = await sendJson(app.baseUrl, 'GET', `/v1/practices/${practice}/correlations/booking-deposit-1`, app.as('owner'));
    const links = chain.body.chain as { kind: string; type: string; actor: { type: string }; commandId?: string; causationId: string; eventId?: string }[];
    const shown = links.filter((l) => l.kind === 'command' || !l.type.startsWith('saga.')).map((l) => `${l.kind}:${l.type}`);
    expect(shown).toEqual([
      'event:reservation.created',
      'command:RequestPayment',
      'event:payment.requested',
      'event:payment.captured',
      'command:ConfirmReservation',
      'event:reservation.confirmed',
    ]);
    // Each saga command is caused by the event before it, and causes the event after it.
    const at = (kind: string, type: string) => links.find((l) => l.kind === kind && l.type === type)!;
    expect(at('command', 'RequestPayment').causationId).toBe(at('event', 'reservation.created').eventId);
    expect(at('event', 'payment.requested').causationId).toBe(at('command', 'RequestPayment').commandId);
    expect(at('command', 'ConfirmReservation').causationId).toBe(at('event', 'payment.captured').eventId);
    expect(at('event', 'reservation.confirmed')).toMatchObject({ actor: { type: 'system' }, causationId: at('command', 'ConfirmReservation').commandId });
  });

  it('is cancelled with the reason when the payment fails', async () => {
    const id = await book(1013);

    const cancelled = await eventually(() => reservation(id), (r) => statusOf(r) === 'cancelled');
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: expect.stringContaining('Deposit payment failed') });
    expect(statusOf(await payment(id))).toBe('failed');
  });

  it('is cancelled, and its payment voided, when no payment arrives before the deadline; operators see the instance end', async () => {
    const id = await book(1042);
    await eventually(() => payment(id), (r) => r.status === 200);
    const waiting = await sagas('?type=reservation-deposit&status=active');
    expect(waiting.body.sagas).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: id, status: 'active', deadlines: [expect.objectContaining({ name: 'deposit' })] })]),
    );

    const cancelled = await eventually(() => reservation(id), (r) => statusOf(r) === 'cancelled', (DEADLINE_SECONDS + 10) * 1000);
    expect(cancelled.body.cancelReason).toBe('Deposit not paid in time');
    expect(statusOf(await eventually(() => payment(id), (r) => statusOf(r) === 'voided'))).toBe('voided');
    const ended = await sagas('?type=reservation-deposit&status=done');
    expect(ended.body.sagas).toEqual(expect.arrayContaining([expect.objectContaining({ key: id, status: 'done', deadlines: [] })]));
  });

  it('voids the payment of a reservation cancelled by hand while the deposit was awaited, and sends nothing more', async () => {
    const id = await book(2042);
    await eventually(() => payment(id), (r) => r.status === 200);
    const cancelled = await sendJson(app.baseUrl, 'POST', `${reservationsPath()}/${id}/cancel`, app.as('owner'), { reason: 'guest called' });
    expect(cancelled.status).toBe(200);

    expect(statusOf(await eventually(() => payment(id), (r) => statusOf(r) === 'voided'))).toBe('voided');
    await sleep((DEADLINE_SECONDS + 1) * 1000);
    expect((await reservation(id)).body).toMatchObject({ status: 'cancelled', cancelReason: 'guest called', version: 2 });
  });

  it('is confirmed the same way when its reservation.created comes through the events API', async () => {
    const id = randomUUID();
    const appended = await sendJson(app.baseUrl, 'POST', '/v1/events/append', app.as('owner'), {
      practiceId: practice,
      aggregateType: 'reservation',
      aggregateId: id,
      eventType: 'reservation.created',
      payload: { ...stay(), reservationId: id, createdAt: new Date().toISOString(), deposit: { amount: 5000, currency: 'EUR' } },
    });

    expect({ status: appended.status, deposit: appended.body.payload.deposit }).toEqual({ status: 201, deposit: { amount: 5000, currency: 'EUR' } });
    expect(statusOf(await eventually(() => reservation(id), (r) => statusOf(r) === 'confirmed'))).toBe('confirmed');
    expect(statusOf(await payment(id))).toBe('captured');
  });

  it('follows the manual lifecycle without a deposit: no payment, no saga', async () => {
    const id = await book(null);
    await sleep(500);

    expect(statusOf(await reservation(id))).toBe('pending');
    expect((await payment(id)).status).toBe(404);
  });

  it('refuses an invalid deposit with 422 INVALID_DEPOSIT, and a malformed one with 400', async () => {
    const refused = await sendJson(app.baseUrl, 'POST', reservationsPath(), app.as('owner'), { ...stay(), deposit: { amount: 0, currency: 'EUR' } });
    expectError(refused, 422, 'INVALID_DEPOSIT');
    const malformed = await sendJson(app.baseUrl, 'POST', reservationsPath(), app.as('owner'), { ...stay(), deposit: { amount: 'ten' } });
    expectError(malformed, 400, 'VALIDATION_FAILED');
  });

  it('keeps the saga list to operators', async () => {
    expect((await sendJson(app.baseUrl, 'GET', '/v1/admin/sagas', app.as('owner'))).status).toBe(403);
  });
});

/**
 * The saga's confirmation racing staff's: a web-only app, whose deposit saga this test runs by
 * hand (its subscription and its sender), so that the saga's subscription can fall behind.
 */
describe('a reservation with a deposit confirmed by hand before the saga confirms it', () => {
  let app: TestApp;
  let practice: string;
  let runtime: SagaRuntime;
  let worker: SubscriptionWorker | undefined;

  beforeAll(async () => {
    app = await startTestApp({ ROLE: 'web', LOG_LEVEL: 'fatal' });
    practice = await createPractice(app, 'owner');
    const get = <T>(token: unknown) => app.app.get(token as never) as T;
    const pool = app.db.pool;
    runtime = new SagaRuntime(get<PostgresEventStore>(PostgresEventStore), pool, get<AggregateRepository>(AggregateRepository), get<AggregateCatalog>(AggregateCatalog), get<Sagas>(Sagas).all());
    const log = new PostgresSubscriptionLog(pool, get<EventRegistry>(EventRegistry), get<PersonalData>(PersonalData));
    worker = new SubscriptionWorker(pool, log, runtime.subscriptions(), { pollIntervalMs: 50, heartbeatMs: 200 });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await app.close();
  });

  it('keeps its captured deposit: the saga’s refused confirmation (RESERVATION_NOT_READY) voids nothing', async () => {
    const reservations = `/v1/practices/${practice}/reservations`;
    const created = await sendJson(app.baseUrl, 'POST', reservations, app.as('owner'), { ...stay(), deposit: { amount: 5000, currency: 'EUR' } });
    expect(created.status).toBe(201);
    const id = created.body.reservationId as string;
    const outbox = async () =>
      (await app.db.pool.query(`SELECT type, outcome, error->>'code' AS code FROM saga_commands WHERE instance_key = $1 ORDER BY seq`, [id])).rows;
    const decided = async (n: number) => {
      for (let i = 0; i < 200 && (await outbox()).length < n; i++) await sleep(50);
    };
    await decided(1);
    expect(await runtime.dispatcher.dispatchOnce()).toBe(1); // RequestPayment
    const callback = { practiceId: practice, paymentId: id, outcome: 'captured', providerReference: 'ref-1' };
    expect((await postProviderCallback(app.baseUrl, callback)).status).toBe(200);
    await decided(2); // ConfirmReservation
    // The saga's subscription falls behind (or its process dies) before it sees staff's confirmation.
    await worker!.stop();
    worker = undefined;
    expect((await sendJson(app.baseUrl, 'POST', `${reservations}/${id}/confirm`, app.as('owner'))).status).toBe(200);

    expect(await runtime.dispatcher.dispatchOnce()).toBe(1); // ConfirmReservation: refused, it is confirmed already
    expect(await runtime.dispatcher.dispatchOnce()).toBe(0); // and the saga decided nothing on that

    expect(await outbox()).toEqual([
      { type: 'RequestPayment', outcome: 'applied', code: null },
      { type: 'ConfirmReservation', outcome: 'refused', code: 'RESERVATION_NOT_READY' },
    ]);
    const reservation = await sendJson(app.baseUrl, 'GET', `${reservations}/${id}`, app.as('owner'));
    const payment = await sendJson(app.baseUrl, 'GET', `/v1/practices/${practice}/payments/${id}`, app.as('owner'));
    expect({ reservation: reservation.body.status, payment: payment.body.status }).toEqual({ reservation: 'confirmed', payment: 'captured' });
    const instance = await app.db.pool.query(`SELECT done, state FROM saga_instances WHERE instance_key = $1`, [id]);
    expect(instance.rows).toEqual([{ done: true, state: { status: 'ended', outcome: 'paid' } }]);
  });
});
