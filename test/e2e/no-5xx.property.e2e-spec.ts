import fc from 'fast-check';
import { jsonTextLike, knownJsonTexts, knownUrlTexts, urlTextLike } from '../support/awkward-values.js';
import { sendJson } from '../support/http.js';
import { isInUrl, requestWith, slotsOf, type Slot, type ValidRequest } from '../support/one-value-varied.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * No input is the server's fault: whatever one field, query parameter or path parameter of
 * an otherwise valid request holds — any text (NUL, lone surrogates, emoji), near-dates,
 * numbers far out of range, wrong types, nested values — the answer is a 2xx or a 4xx in
 * the common error shape, never a 5xx. Values known to have answered 500 go first.
 */
const RANDOM_RUNS_PER_ROUTE = 30;
const OPERATOR = 'olivia';
const STAY = { guestId: 'guest-1', guestName: 'Ada', checkInDate: '2099-01-01', nights: 2 };
const EVENT_ID = '0b7f6a3e-5d0c-4d8e-9b7e-3b1f9f7c2a11';

interface Ids {
  readonly practiceId: string;
  /** The route's own reservation when it changes one, so no other route finds it cancelled. */
  readonly reservationId: string;
}

interface Route {
  readonly name: string;
  readonly method: ValidRequest['method'];
  readonly path: string;
  readonly params?: (ids: Ids) => Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: (ids: Ids) => Record<string, unknown>;
  readonly optional?: readonly string[];
}

const inPractice = ({ practiceId }: Ids) => ({ practiceId });
const onReservation = ({ practiceId, reservationId }: Ids) => ({ practiceId, reservationId });
const command = (action: string, body: Record<string, unknown> = {}): Route => ({
  name: `POST …/reservations/:id/${action}`,
  method: 'POST',
  path: `/v1/practices/:practiceId/reservations/:reservationId/${action}`,
  params: onReservation,
  body: () => body,
});
const appendOf = (practiceId: string, aggregateType: string, aggregateId: string, eventType: string, payload: object) => ({
  practiceId,
  aggregateType,
  aggregateId,
  eventType,
  payload,
});

const ROUTES: readonly Route[] = [
  { name: 'POST /v1/practices', method: 'POST', path: '/v1/practices', body: () => ({ name: 'Any' }), optional: ['practiceId'] },
  { name: 'GET /v1/practices/:id', method: 'GET', path: '/v1/practices/:practiceId', params: inPractice },
  { name: 'PATCH /v1/practices/:id', method: 'PATCH', path: '/v1/practices/:practiceId', params: inPractice, body: () => ({ name: 'Any' }) },
  {
    name: 'POST …/memberships',
    method: 'POST',
    path: '/v1/practices/:practiceId/memberships',
    params: inPractice,
    body: () => ({ userId: 'newcomer', role: 'viewer' }),
  },
  {
    name: 'PATCH …/memberships/:userId',
    method: 'PATCH',
    path: '/v1/practices/:practiceId/memberships/:userId',
    params: ({ practiceId }) => ({ practiceId, userId: 'sam' }),
    body: () => ({ role: 'admin' }),
  },
  { name: 'GET …/memberships', method: 'GET', path: '/v1/practices/:practiceId/memberships', params: inPractice },
  {
    name: 'POST …/reservations',
    method: 'POST',
    path: '/v1/practices/:practiceId/reservations',
    params: inPractice,
    body: () => STAY,
    optional: ['reservationId'],
  },
  command('confirm'),
  command('change', { checkInDate: '2099-06-01', nights: 3 }),
  command('check-in'),
  command('complete'),
  command('cancel', { reason: 'storm' }),
  {
    name: 'GET …/reservations',
    method: 'GET',
    path: '/v1/practices/:practiceId/reservations',
    params: inPractice,
    query: { status: 'pending', from: '2099-01-01', to: '2099-12-31', limit: '10' },
  },
  {
    name: 'GET …/reservations/:id',
    method: 'GET',
    path: '/v1/practices/:practiceId/reservations/:reservationId',
    params: onReservation,
    query: { asOf: '2099-01-01T12:00:00Z', version: '1' },
  },
  {
    name: 'GET …/reservations/:id/history',
    method: 'GET',
    path: '/v1/practices/:practiceId/reservations/:reservationId/history',
    params: onReservation,
  },
  {
    name: 'GET …/occupancy',
    method: 'GET',
    path: '/v1/practices/:practiceId/occupancy',
    params: inPractice,
    query: { from: '2099-01-01', to: '2099-01-31' },
  },
  {
    name: 'GET …/guests/:guestId',
    method: 'GET',
    path: '/v1/practices/:practiceId/guests/:guestId',
    params: ({ practiceId }) => ({ practiceId, guestId: STAY.guestId }),
  },
  { name: 'POST /v1/reservations/validate', method: 'POST', path: '/v1/reservations/validate', body: () => STAY, optional: ['reservationId'] },
  {
    name: 'POST /v1/events/append (practice.updated)',
    method: 'POST',
    path: '/v1/events/append',
    body: ({ practiceId }) => appendOf(practiceId, 'practice', practiceId, 'practice.updated', { name: 'Any' }),
    optional: ['actorType', 'actorId', 'expectedVersion', 'eventId'],
  },
  {
    name: 'POST /v1/events/append (reservation.created)',
    method: 'POST',
    path: '/v1/events/append',
    body: ({ practiceId }) =>
      appendOf(practiceId, 'reservation', EVENT_ID, 'reservation.created', {
        ...STAY,
        reservationId: EVENT_ID,
        createdAt: new Date().toISOString(),
      }),
  },
  {
    name: 'GET /v1/events/aggregate/…',
    method: 'GET',
    path: '/v1/events/aggregate/:practiceId/:aggregateType/:aggregateId',
    params: ({ practiceId, reservationId }) => ({ practiceId, aggregateType: 'reservation', aggregateId: reservationId }),
  },
  {
    name: 'GET /v1/events/type/…',
    method: 'GET',
    path: '/v1/events/type/:practiceId/:eventType',
    params: ({ practiceId }) => ({ practiceId, eventType: 'reservation.created' }),
    query: { limit: '5', cursor: '1:1' },
  },
  { name: 'GET /v1/admin/projections/:name', method: 'GET', path: '/v1/admin/projections/:name', params: () => ({ name: 'occupancy' }) },
  {
    name: 'POST /v1/admin/projections/:name/replay',
    method: 'POST',
    path: '/v1/admin/projections/:name/replay',
    params: () => ({ name: 'occupancy' }),
    body: () => ({ fromPosition: 1 }),
  },
  { name: 'GET /v1/admin/dead-letters', method: 'GET', path: '/v1/admin/dead-letters', query: { projection: 'occupancy' } },
  { name: 'POST /v1/admin/dead-letters/:id/retry', method: 'POST', path: '/v1/admin/dead-letters/:id/retry', params: () => ({ id: '1' }) },
  {
    name: 'GET /v1/admin/inbox/dead-letters',
    method: 'GET',
    path: '/v1/admin/inbox/dead-letters',
    query: { consumer: 'notifications.guest-confirmations' },
  },
  { name: 'POST /v1/admin/inbox/dead-letters/:id/retry', method: 'POST', path: '/v1/admin/inbox/dead-letters/:id/retry', params: () => ({ id: '1' }) },
];

const isErrorBody = (body: { error?: Record<string, unknown> }): boolean =>
  typeof body.error?.code === 'string' && typeof body.error.message === 'string' && typeof body.error.details === 'object';

describe('Any input, on every route', () => {
  let app: TestApp;
  let practiceId: string;

  const newReservation = async (): Promise<string> => {
    const created = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practiceId}/reservations`, app.as(OPERATOR), STAY);
    expect(created.status).toBe(201);
    return created.body.reservationId;
  };

  beforeAll(async () => {
    // The inputs go out one after another as fast as the app answers, more than the default
    // 300 a second a user allows: a 429 would answer them instead of the route (rate-limits.e2e tests those).
    app = await startTestApp({
      OPERATOR_USER_IDS: OPERATOR,
      RATE_LIMIT_USER_PER_SECOND: '1000000',
      RATE_LIMIT_TENANT_PER_SECOND: '1000000',
    });
    practiceId = await createPractice(app, OPERATOR, { sam: 'staff' });
  });
  afterAll(() => app.close());

  it.each(ROUTES)('never answers 5xx on $name', async (route) => {
    const ids = { practiceId, reservationId: await newReservation() };
    const valid: ValidRequest = {
      method: route.method,
      path: route.path,
      params: route.params?.(ids) ?? {},
      query: route.query ?? {},
      body: route.body?.(ids),
      optional: route.optional ?? [],
    };
    const slots = slotsOf(valid);
    const input = fc
      .constantFrom(...slots)
      .chain((slot) => fc.tuple(fc.constant(slot), isInUrl(slot) ? urlTextLike(slot.values) : jsonTextLike(slot.values)));
    const known = slots.flatMap((slot) =>
      (isInUrl(slot) ? knownUrlTexts(slot.values) : knownJsonTexts(slot.values)).map((value): [[Slot, string]] => [[slot, value]]),
    );

    await fc.assert(
      fc.asyncProperty(input, async ([slot, value]) => {
        const request = requestWith(valid, slot, value);
        const response = await fetch(`${app.baseUrl}${request.url}`, {
          method: request.method,
          headers: app.as(OPERATOR),
          body: request.body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        const serverFault = response.status >= 500;
        const errorShaped = response.status < 400 || isErrorBody(JSON.parse(text));

        expect({ request, status: response.status, text: text.slice(0, 300), serverFault, errorShaped }).toMatchObject({
          serverFault: false,
          errorShaped: true,
        });
      }),
      // Examples count as runs: the known values first, then the random ones.
      { numRuns: known.length + RANDOM_RUNS_PER_ROUTE, examples: known },
    );
  });
});
