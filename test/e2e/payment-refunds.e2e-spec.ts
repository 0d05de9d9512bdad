import { setTimeout as sleep } from 'node:timers/promises';
import { providerKeysOf } from '../../src/contexts/payments/application/payment-provider.js';
import { ProviderCallbacks } from '../../src/contexts/payments/application/provider-callbacks.js';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { postProviderCallback } from '../support/payment-provider.js';
import { handedOver, requestPayment, voidPayment } from '../support/payments.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A voided payment reaches the provider: its pending charge is cancelled, or the money taken
 * (captured before the void, or after it) refunded, and the payment says so only once the
 * provider confirmed it. Over HTTP, with the in-process worker and the fake provider.
 */
const OWNER = 'olga';

const eventually = async (read: () => Promise<Reply>, until: (reply: Reply) => boolean): Promise<Reply> => {
  for (const end = Date.now() + 15_000; ; await sleep(50)) {
    const reply = await read();
    if (until(reply) || Date.now() > end) return reply;
  }
};

const paymentsOf = (app: () => TestApp, practice: () => string) => ({
  get: (id: string) => sendJson(app().baseUrl, 'GET', `/v1/practices/${practice()}/payments/${id}`, app().as(OWNER)),
  /** The provider's signed answer about payment `id`. */
  callback: (id: string, body: object) => postProviderCallback(app().baseUrl, { practiceId: practice(), paymentId: id, ...body }),
});

describe('A voided payment whose money was taken', () => {
  let app: TestApp;
  let practice: string;
  const { get, callback } = paymentsOf(() => app, () => practice);
  const refunded = (id: string) => eventually(() => get(id), (r) => r.body?.status === 'refunded');

  beforeAll(async () => {
    app = await startTestApp({ FAKE_PROVIDER_DELAY_MS: '30' });
    practice = await createPractice(app, OWNER);
  });
  afterAll(() => app?.close());

  it('captured before the void: is refunded by the provider, and shown refunded only once it confirmed', async () => {
    const id = await requestPayment(app.app, practice, 2042); // never answered by the fake
    const charge = { practiceId: practice, paymentId: id, ...providerKeysOf(practice, id, 'charge') };
    await app.app.get(ProviderCallbacks).record(charge, { outcome: 'captured', providerReference: 'ch_paid' });

    await voidPayment(app.app, practice, id);

    expect((await refunded(id)).body).toMatchObject({
      status: 'refunded',
      providerReference: 'ch_paid',
      capturedLate: false,
      refundReference: `fake_refund_${id}`,
    });
  });

  it('captured after the void (a provider answering late): recorded with 200, not 409, and refunded', async () => {
    const id = await requestPayment(app.app, practice, 3042); // never answered by the fake
    await voidPayment(app.app, practice, id);

    const late = await callback(id, { outcome: 'captured', providerReference: 'ch_late' });

    expect({ status: late.status, body: late.body }).toEqual({
      status: 200,
      body: { paymentId: id, status: 'refund_due', version: 3 },
    });
    expect((await refunded(id)).body).toMatchObject({
      status: 'refunded',
      providerReference: 'ch_late',
      reason: 'Reservation cancelled',
      capturedLate: true,
      refundReference: `fake_refund_${id}`,
    });
    // The same capture again is a no-op; another one is no answer to this payment's charge.
    expect((await callback(id, { outcome: 'captured', providerReference: 'ch_late' })).status).toBe(200);
    expectError(await callback(id, { outcome: 'captured', providerReference: 'ch_other' }), 409, 'PAYMENT_NOT_PENDING');
  });
});

describe('A payment voided before the provider answered', () => {
  // The fake answers 4 s after the charge: the void reaches it well before.
  const DELAY_MS = 4_000;
  const written: string[] = [];
  let app: TestApp;
  let practice: string;
  const { get, callback } = paymentsOf(() => app, () => practice);

  beforeAll(async () => {
    app = await startTestApp(
      { FAKE_PROVIDER_DELAY_MS: String(DELAY_MS), LOG_LEVEL: 'warn' },
      { logs: { destination: { write: (chunk: string) => void written.push(chunk) } } },
    );
    practice = await createPractice(app, OWNER);
  });
  afterAll(() => app?.close());

  it('has its charge cancelled: the provider never captures it, so no money is taken', async () => {
    const id = await requestPayment(app.app, practice, 5000); // captured by the fake, unless cancelled
    await handedOver(app.db.pool); // the charge is with the provider: the void must reach it there
    await voidPayment(app.app, practice, id);

    await sleep(DELAY_MS + 1_500);

    expect((await get(id)).body).toMatchObject({ status: 'voided', providerReference: null, version: 2 });
    expect(written.join('')).not.toContain(`of payment ${id}`);
  });

  it('takes the provider\'s confirmation of a refund on its signed webhook; refuses one for a payment that owes none', async () => {
    const id = await requestPayment(app.app, practice, 5000);
    expect((await callback(id, { outcome: 'captured', providerReference: 'ch_1' })).status).toBe(200);
    await voidPayment(app.app, practice, id);
    expect((await get(id)).body).toMatchObject({ status: 'refund_due', version: 3 });

    const confirmed = await callback(id, { outcome: 'refunded', refundReference: 're_1' });

    expect({ status: confirmed.status, body: confirmed.body }).toEqual({ status: 200, body: { paymentId: id, status: 'refunded', version: 4 } });
    expect((await get(id)).body).toMatchObject({ status: 'refunded', providerReference: 'ch_1', refundReference: 're_1' });
    const owesNone = await requestPayment(app.app, practice, 5000);
    expectError(await callback(owesNone, { outcome: 'refunded', refundReference: 're_2' }), 409, 'NO_REFUND_DUE');
    expect((await callback(owesNone, { outcome: 'refunded' })).status).toBe(400);
  });

  it('records the provider\'s decline of a refund with its reason: the payment still owes it, until a refund is confirmed', async () => {
    const id = await requestPayment(app.app, practice, 5000);
    expect((await callback(id, { outcome: 'captured', providerReference: 'ch_2' })).status).toBe(200);
    await voidPayment(app.app, practice, id);

    const declined = await callback(id, { outcome: 'refund_declined', reason: 'card closed' });

    expect({ status: declined.status, body: declined.body }).toEqual({ status: 200, body: { paymentId: id, status: 'refund_due', version: 4 } });
    expect((await get(id)).body).toMatchObject({ status: 'refund_due', refundDeclinedReason: 'card closed', refundReference: null });
    const types = await app.db.pool.query<{ type: string }>(
      `SELECT type FROM events WHERE tenant_id = $1 AND aggregate_type = 'payment' AND aggregate_id = $2 ORDER BY version`,
      [practice, id],
    );
    expect(types.rows.map((row) => row.type)).toEqual(['payment.requested', 'payment.captured', 'payment.voided', 'payment.refund_declined']);

    expect((await callback(id, { outcome: 'refunded', refundReference: 're_2' })).status).toBe(200);
    expect((await get(id)).body).toMatchObject({ status: 'refunded', refundReference: 're_2', refundDeclinedReason: null, version: 5 });
    expectError(await callback(id, { outcome: 'refund_declined', reason: 'too late' }), 409, 'NO_REFUND_DUE');
    expect((await callback(id, { outcome: 'refund_declined' })).status).toBe(400);
    expect((await get(id)).body).toMatchObject({ status: 'refunded', version: 5 });
  });
});
