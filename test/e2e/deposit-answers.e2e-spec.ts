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
import { sendJson } from '../support/http.js';
import { postProviderCallback } from '../support/payment-provider.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The deposit deadline racing a capture recorded in time: a web-only app whose deposit saga this
 * test runs by hand (as deposits.e2e-spec does), so that the saga's subscription can lag behind
 * the log (a busy worker; or every worker down while web processes take the provider's answers,
 * and the one that comes back finds the deadline due).
 */
describe('a deposit captured before its deadline, the saga’s subscription lagging when the deadline falls due', () => {
  const DEADLINE_SECONDS = 3;
  let app: TestApp;
  let practice: string;
  let runtime: SagaRuntime;
  let worker: SubscriptionWorker | undefined;

  const startWorker = async () => {
    const get = <T>(token: unknown) => app.app.get(token as never) as T;
    const log = new PostgresSubscriptionLog(app.db.pool, get<EventRegistry>(EventRegistry), get<PersonalData>(PersonalData));
    worker = new SubscriptionWorker(app.db.pool, log, runtime.subscriptions(), { pollIntervalMs: 50, heartbeatMs: 200 });
    await worker.start();
  };
  const stopWorker = async () => {
    await worker?.stop();
    worker = undefined;
  };

  beforeAll(async () => {
    app = await startTestApp({ ROLE: 'web', LOG_LEVEL: 'fatal', DEPOSIT_DEADLINE_SECONDS: String(DEADLINE_SECONDS) });
    practice = await createPractice(app, 'owner');
    const get = <T>(token: unknown) => app.app.get(token as never) as T;
    const [store, repository, catalog] = [get<PostgresEventStore>(PostgresEventStore), get<AggregateRepository>(AggregateRepository), get<AggregateCatalog>(AggregateCatalog)];
    runtime = new SagaRuntime(store, app.db.pool, repository, catalog, get<Sagas>(Sagas).all());
    await startWorker();
  });
  afterAll(async () => {
    await stopWorker();
    await app?.close();
  });

  it('confirms the reservation: the deadline waits until the saga has read the capture, which wins', async () => {
    const reservations = `/v1/practices/${practice}/reservations`;
    const created = await sendJson(app.baseUrl, 'POST', reservations, app.as('owner'), { ...stay(), deposit: { amount: 5000, currency: 'EUR' } });
    expect(created.status).toBe(201);
    const id = created.body.reservationId as string;
    const outbox = async () => (await app.db.pool.query(`SELECT type FROM saga_commands WHERE instance_key = $1 ORDER BY seq`, [id])).rows;
    const deadlines = async () => (await app.db.pool.query(`SELECT name FROM saga_deadlines WHERE instance_key = $1`, [id])).rows;
    for (const end = Date.now() + 45_000; (await outbox()).length < 1 && Date.now() < end; ) await sleep(50);
    expect(await runtime.dispatcher.dispatchOnce()).toBe(1); // RequestPayment
    // The saga's subscription falls behind here, and the provider's capture comes in time.
    await stopWorker();
    const callback = { practiceId: practice, paymentId: id, outcome: 'captured', providerReference: 'ch_in_time' };
    expect((await postProviderCallback(app.baseUrl, callback)).status).toBe(200);
    const capturedAt = Date.now();

    await sleep(DEADLINE_SECONDS * 1000 + 500);
    expect(await runtime.deadlines.fireDue()).toBe(0); // due, but the saga has not read the capture: held back
    expect(await deadlines()).toEqual([{ name: 'deposit' }]);
    await startWorker();
    for (let i = 0; i < 200 && (await outbox()).length < 2; i++) await sleep(50);
    while ((await runtime.dispatcher.dispatchOnce()) > 0); // what the capture decided
    expect(await runtime.deadlines.fireDue()).toBe(0);

    const reservation = await sendJson(app.baseUrl, 'GET', `${reservations}/${id}`, app.as('owner'));
    const payment = await sendJson(app.baseUrl, 'GET', `/v1/practices/${practice}/payments/${id}`, app.as('owner'));
    expect({
      capturedBeforeDeadline: capturedAt < Date.parse(payment.body.requestedAt) + DEADLINE_SECONDS * 1000,
      reservation: reservation.body.status,
      cancelReason: reservation.body.cancelReason,
      payment: payment.body.status,
      outbox: await outbox(),
      deadlines: await deadlines(),
    }).toEqual({
      capturedBeforeDeadline: true,
      reservation: 'confirmed',
      cancelReason: null,
      payment: 'captured',
      outbox: [{ type: 'RequestPayment' }, { type: 'ConfirmReservation' }],
      deadlines: [],
    });
  });
});

/** A decline whose reason is as long as the provider's webhook takes: the saga must still cancel the reservation. */
describe('a deposit declined with a long reason', () => {
  let app: TestApp;
  let practice: string;

  beforeAll(async () => {
    app = await startTestApp({ FAKE_PROVIDER_DELAY_MS: '50', DEPOSIT_DEADLINE_SECONDS: '120' });
    practice = await createPractice(app, 'owner');
  });
  afterAll(() => app?.close());

  it('cancels the reservation with the reason cut to what a cancellation holds, and its outbox holds nothing back', async () => {
    const reservations = `/v1/practices/${practice}/reservations`;
    const created = await sendJson(app.baseUrl, 'POST', reservations, app.as('owner'), { ...stay(), deposit: { amount: 2042, currency: 'EUR' } });
    const id = created.body.reservationId as string; // …42: the fake provider never answers
    const payment = `/v1/practices/${practice}/payments/${id}`;
    // The saga requests the payment; on CI's busiest minutes that took over 15 s.
    const requested = async () => (await sendJson(app.baseUrl, 'GET', payment, app.as('owner'))).status === 200;
    for (const end = Date.now() + 45_000; !(await requested()) && Date.now() < end; ) await sleep(50);
    expect(await requested()).toBe(true);
    const reason = `Issuer declined: ${'x'.repeat(480)}`; // 497 characters: the webhook takes up to 500

    const failed = await postProviderCallback(app.baseUrl, { practiceId: practice, paymentId: id, outcome: 'failed', reason });
    expect(failed.body).toMatchObject({ status: 'failed' });

    const read = () => sendJson(app.baseUrl, 'GET', `${reservations}/${id}`, app.as('owner'));
    let cancelled = await read();
    for (let i = 0; i < 300 && cancelled.body.status !== 'cancelled'; i++) cancelled = await sleep(50).then(read);
    const outbox = await app.db.pool.query(`SELECT type, outcome, attempts FROM saga_commands WHERE instance_key = $1 ORDER BY seq`, [id]);
    expect({ status: cancelled.body.status, reason: cancelled.body.cancelReason, outbox: outbox.rows }).toEqual({
      status: 'cancelled',
      reason: `${`Deposit payment failed: ${reason}`.slice(0, 499)}…`,
      outbox: [
        { type: 'RequestPayment', outcome: 'applied', attempts: 0 },
        { type: 'CancelReservation', outcome: 'applied', attempts: 0 },
      ],
    });
  });
});
