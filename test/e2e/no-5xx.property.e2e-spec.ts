import fc from 'fast-check';
import { jsonTextLike, kindOf, knownJsonTexts, knownUrlTexts, urlTextLike, type ValueKind } from '../support/awkward-values.js';
import { sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * No input is the server's fault: whatever one field, query parameter or path parameter of
 * an otherwise valid request holds — any text (NUL, lone surrogates, emoji), near-dates,
 * numbers far out of range, wrong types, nested values — the answer is a 2xx or a 4xx in
 * the common error shape, never a 5xx.
 */
const RUNS_PER_ROUTE = 30;
const OPERATOR = 'olivia';

interface Route {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** With `:name` placeholders for the path parameters. */
  readonly path: string;
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: Record<string, unknown>;
  /** Fields a valid request may leave out: each is sent only when it is the one that varies. */
  readonly optional?: readonly string[];
}

type Slot = (
  | { readonly kind: 'path' | 'query'; readonly name: string }
  | { readonly kind: 'body'; readonly field: readonly string[] }
  | { readonly kind: 'whole-body' }
) & { readonly values: ValueKind };

/** Every field of a body, nested payload fields included, as paths. */
const fieldsOf = (value: Record<string, unknown>, parent: readonly string[] = []): string[][] =>
  Object.entries(value).flatMap(([key, child]) =>
    child !== null && typeof child === 'object' && !Array.isArray(child)
      ? [[...parent, key], ...fieldsOf(child as Record<string, unknown>, [...parent, key])]
      : [[...parent, key]],
  );

/** What may vary: each path and query parameter (and an unknown one), each body field (and an unknown one), the whole body. */
const slotsOf = (route: Route): Slot[] => {
  const valueAt = (field: readonly string[]) => field.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], route.body);
  return [
    ...Object.entries(route.params ?? {}).map(([name, valid]) => ({ kind: 'path' as const, name, values: kindOf(valid) })),
    ...[...Object.entries(route.query ?? {}), ['unknown', '']].map(([name, valid]) => ({ kind: 'query' as const, name, values: kindOf(valid) })),
    ...(route.method === 'GET'
      ? []
      : [
          ...[...fieldsOf(route.body ?? {}), ...(route.optional ?? []).map((field) => [field]), ['unknown']].map((field) => ({
            kind: 'body' as const,
            field,
            values: kindOf(valueAt(field)),
          })),
          { kind: 'whole-body' as const, values: 'text' as const },
        ]),
  ];
};

/** Stands for the value in a body until its raw JSON text replaces it. */
const MARK = '@@value-under-test@@';

/** The request with the slot holding the value: raw JSON text in a body, URL text elsewhere. */
const requestOf = (route: Route, slot: Slot, value: string) => {
  const params = { ...route.params, ...(slot.kind === 'path' ? { [slot.name]: value } : {}) };
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => (slot.kind === 'path' && slot.name === name ? value : encodeURIComponent(params[name])));
  const query = Object.entries({ ...route.query, ...(slot.kind === 'query' ? { [slot.name]: value } : {}) }).map(
    ([name, text]) => `${name}=${slot.kind === 'query' && slot.name === name ? text : encodeURIComponent(text)}`,
  );
  let body: string | undefined;
  if (slot.kind === 'whole-body') body = value;
  else if (slot.kind === 'body') {
    const copy = structuredClone(route.body ?? {});
    let parent: Record<string, unknown> = copy;
    for (const key of slot.field.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    parent[slot.field.at(-1)!] = MARK;
    body = JSON.stringify(copy).replace(JSON.stringify(MARK), () => value);
  } else if (route.body) body = JSON.stringify(route.body);
  return { method: route.method, url: `${path}${query.length > 0 ? `?${query.join('&')}` : ''}`, body };
};

const isErrorBody = (body: { error?: Record<string, unknown> }): boolean =>
  typeof body.error?.code === 'string' && typeof body.error.message === 'string' && typeof body.error.details === 'object';

const STAY = { guestId: 'guest-1', guestName: 'Ada', checkInDate: '2099-01-01', nights: 2 };
const ROUTE_NAMES = [
  'POST /v1/practices',
  'GET /v1/practices/:id',
  'PATCH /v1/practices/:id',
  'POST …/memberships',
  'PATCH …/memberships/:userId',
  'GET …/memberships',
  'POST …/reservations',
  'POST …/reservations/:id/confirm',
  'POST …/reservations/:id/change',
  'POST …/reservations/:id/check-in',
  'POST …/reservations/:id/complete',
  'POST …/reservations/:id/cancel',
  'GET …/reservations',
  'GET …/reservations/:id',
  'GET …/reservations/:id/history',
  'GET …/occupancy',
  'GET …/guests/:guestId',
  'POST /v1/reservations/validate',
  'POST /v1/events/append (practice.updated)',
  'POST /v1/events/append (reservation.created)',
  'GET /v1/events/aggregate/…',
  'GET /v1/events/type/…',
  'GET /v1/admin/projections/:name',
  'POST /v1/admin/projections/:name/replay',
  'GET /v1/admin/dead-letters',
  'POST /v1/admin/dead-letters/:id/retry',
];

describe('Any input, on every route', () => {
  let app: TestApp;
  const routes: Route[] = [];

  beforeAll(async () => {
    app = await startTestApp({ OPERATOR_USER_IDS: OPERATOR });
    const practiceId = await createPractice(app, OPERATOR, { sam: 'staff' });
    const reservation = async () => {
      const created = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practiceId}/reservations`, app.as(OPERATOR), STAY);
      expect(created.status).toBe(201);
      return created.body.reservationId as string;
    };
    const practice = { practiceId };
    const onReservation = async (action: string, body?: Record<string, unknown>): Promise<Route> => ({
      name: `POST …/reservations/:id/${action}`,
      method: 'POST',
      path: `/v1/practices/:practiceId/reservations/:reservationId/${action}`,
      params: { practiceId, reservationId: await reservation() },
      body: body ?? {},
    });
    const reservationId = await reservation();
    routes.push(
      { name: 'POST /v1/practices', method: 'POST', path: '/v1/practices', body: { name: 'Any' }, optional: ['practiceId'] },
      { name: 'GET /v1/practices/:id', method: 'GET', path: '/v1/practices/:practiceId', params: practice },
      { name: 'PATCH /v1/practices/:id', method: 'PATCH', path: '/v1/practices/:practiceId', params: practice, body: { name: 'Any' } },
      {
        name: 'POST …/memberships',
        method: 'POST',
        path: '/v1/practices/:practiceId/memberships',
        params: practice,
        body: { userId: 'newcomer', role: 'viewer' },
      },
      {
        name: 'PATCH …/memberships/:userId',
        method: 'PATCH',
        path: '/v1/practices/:practiceId/memberships/:userId',
        params: { practiceId, userId: 'sam' },
        body: { role: 'admin' },
      },
      { name: 'GET …/memberships', method: 'GET', path: '/v1/practices/:practiceId/memberships', params: practice },
      {
        name: 'POST …/reservations',
        method: 'POST',
        path: '/v1/practices/:practiceId/reservations',
        params: practice,
        body: STAY,
        optional: ['reservationId'],
      },
      await onReservation('confirm'),
      await onReservation('change', { checkInDate: '2099-06-01', nights: 3 }),
      await onReservation('check-in'),
      await onReservation('complete'),
      await onReservation('cancel', { reason: 'storm' }),
      {
        name: 'GET …/reservations',
        method: 'GET',
        path: '/v1/practices/:practiceId/reservations',
        params: practice,
        query: { status: 'pending', from: '2099-01-01', to: '2099-12-31', limit: '10' },
      },
      {
        name: 'GET …/reservations/:id',
        method: 'GET',
        path: '/v1/practices/:practiceId/reservations/:reservationId',
        params: { practiceId, reservationId },
        query: { asOf: new Date().toISOString(), version: '1' },
      },
      {
        name: 'GET …/reservations/:id/history',
        method: 'GET',
        path: '/v1/practices/:practiceId/reservations/:reservationId/history',
        params: { practiceId, reservationId },
      },
      {
        name: 'GET …/occupancy',
        method: 'GET',
        path: '/v1/practices/:practiceId/occupancy',
        params: practice,
        query: { from: '2099-01-01', to: '2099-01-31' },
      },
      { name: 'GET …/guests/:guestId', method: 'GET', path: '/v1/practices/:practiceId/guests/:guestId', params: { practiceId, guestId: STAY.guestId } },
      { name: 'POST /v1/reservations/validate', method: 'POST', path: '/v1/reservations/validate', body: STAY, optional: ['reservationId'] },
      {
        name: 'POST /v1/events/append (practice.updated)',
        method: 'POST',
        path: '/v1/events/append',
        body: { practiceId, aggregateType: 'practice', aggregateId: practiceId, eventType: 'practice.updated', payload: { name: 'Any' } },
        optional: ['actorType', 'actorId', 'expectedVersion', 'eventId'],
      },
      {
        name: 'POST /v1/events/append (reservation.created)',
        method: 'POST',
        path: '/v1/events/append',
        body: {
          practiceId,
          aggregateType: 'reservation',
          aggregateId: '0b7f6a3e-5d0c-4d8e-9b7e-3b1f9f7c2a11',
          eventType: 'reservation.created',
          payload: { ...STAY, reservationId: '0b7f6a3e-5d0c-4d8e-9b7e-3b1f9f7c2a11', createdAt: new Date().toISOString() },
        },
      },
      {
        name: 'GET /v1/events/aggregate/…',
        method: 'GET',
        path: '/v1/events/aggregate/:practiceId/:aggregateType/:aggregateId',
        params: { practiceId, aggregateType: 'reservation', aggregateId: reservationId },
      },
      {
        name: 'GET /v1/events/type/…',
        method: 'GET',
        path: '/v1/events/type/:practiceId/:eventType',
        params: { practiceId, eventType: 'reservation.created' },
        query: { limit: '5', cursor: '1:1' },
      },
      { name: 'GET /v1/admin/projections/:name', method: 'GET', path: '/v1/admin/projections/:name', params: { name: 'occupancy' } },
      {
        name: 'POST /v1/admin/projections/:name/replay',
        method: 'POST',
        path: '/v1/admin/projections/:name/replay',
        params: { name: 'occupancy' },
        body: { fromPosition: 1 },
      },
      { name: 'GET /v1/admin/dead-letters', method: 'GET', path: '/v1/admin/dead-letters', query: { projection: 'occupancy' } },
      { name: 'POST /v1/admin/dead-letters/:id/retry', method: 'POST', path: '/v1/admin/dead-letters/:id/retry', params: { id: '1' } },
    );
  });
  afterAll(() => app.close());

  it.each(ROUTE_NAMES)('never answers 5xx on %s', async (name) => {
    const route = routes.find((candidate) => candidate.name === name)!;
    const inUrl = (slot: Slot) => slot.kind === 'path' || slot.kind === 'query';
    const slots = slotsOf(route);
    const input = fc
      .constantFrom(...slots)
      .chain((slot) => fc.tuple(fc.constant(slot), inUrl(slot) ? urlTextLike(slot.values) : jsonTextLike(slot.values)));
    const known = slots.flatMap((slot) =>
      (inUrl(slot) ? knownUrlTexts(slot.values) : knownJsonTexts(slot.values)).map((value): [[Slot, string]] => [[slot, value]]),
    );
    await fc.assert(
      fc.asyncProperty(input, async ([slot, value]) => {
        const request = requestOf(route, slot, value);
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
      // Examples count as runs: the known values first, then RUNS_PER_ROUTE random ones.
      { numRuns: known.length + RUNS_PER_ROUTE, examples: known },
    );
  });
});

