import { setTimeout as sleep } from 'node:timers/promises';
import { sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { parsePrometheusText as parse, sampleValue as valueOf, type Sample } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * `GET /metrics` on the real app (its in-process worker running the subscriptions): after some
 * traffic, each family with its labels and values; route templates, never raw ids; the read
 * fence's age growing while a transaction stays open; operators only.
 */

const OWNER = 'maude';
const OPERATOR = 'ops-metrics';
const DAY_MS = 86_400_000;
const day = (n: number): string => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);

describe('GET /metrics', () => {
  let app: TestApp;
  let practice: string;
  const ids: string[] = [];

  const call = (method: string, path: string, headers: Record<string, string> | null = app.as(OWNER), body?: unknown) =>
    sendJson(app.baseUrl, method, path, headers, body);

  const scrapeText = async (): Promise<string> => {
    const signal = AbortSignal.timeout(10_000);
    const response = await fetch(`${app.baseUrl}/metrics`, { headers: app.as(OPERATOR), signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  const scrape = async (): Promise<Sample[]> => parse(await scrapeText());
  /** A subscription's gauge, e.g. `lag_events` for chronicle_subscription_lag_events. */
  const ofSubscription = (samples: Sample[], gauge: string, subscription: string): number | undefined =>
    valueOf(samples, `chronicle_subscription_${gauge}`, { subscription });

  const book = async (checkInDate: string): Promise<string> => {
    const reply = await call('POST', `/v1/practices/${practice}/reservations`, app.as(OWNER), {
      guestId: 'g-1',
      guestName: 'Ada Lovelace',
      checkInDate,
      nights: 2,
    });
    expect(reply.status).toBe(201);
    return reply.body.reservationId as string;
  };

  beforeAll(async () => {
    app = await startTestApp({ OPERATOR_USER_IDS: OPERATOR });
    practice = await createPractice(app, OWNER);
    for (const n of [10, 20, 30]) ids.push(await book(day(n)));
    for (const id of ids.slice(0, 2)) {
      expect((await call('POST', `/v1/practices/${practice}/reservations/${id}/confirm`)).status).toBe(200);
    }
    // Refused: confirmed already. A conflict: If-Match names a version the stream is not at.
    expect((await call('POST', `/v1/practices/${practice}/reservations/${ids[0]}/confirm`)).status).toBe(409);
    const stale = { ...app.as(OWNER), 'if-match': '"7"' };
    expect((await call('POST', `/v1/practices/${practice}/reservations/${ids[2]}/confirm`, stale)).status).toBe(409);
    // 404s: an unknown reservation on a known route, and a path no route matches.
    const unknown = '00000000-0000-4000-8000-00000000beef';
    expect((await call('GET', `/v1/practices/${practice}/reservations/${unknown}`)).status).toBe(404);
    expect((await call('GET', `/v1/no-such-route/${unknown}`)).status).toBe(404);
    expect((await call('GET', `/v1/practices/${practice}/reservations/${ids[1]}`)).status).toBe(200);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('counts appends by event type', async () => {
    const samples = await scrape();

    expect(valueOf(samples, 'chronicle_events_appended_total', { type: 'reservation.created' })).toBe(3);
    expect(valueOf(samples, 'chronicle_events_appended_total', { type: 'reservation.confirmed' })).toBe(2);
    expect(valueOf(samples, 'chronicle_events_appended_total', { type: 'practice.created' })).toBeGreaterThanOrEqual(1);
  });

  it('counts commands by aggregate, command, result and code', async () => {
    const samples = await scrape();
    const commands = (labels: Record<string, string>) =>
      valueOf(samples, 'chronicle_commands_total', { aggregate: 'reservation', ...labels });

    expect(commands({ command: 'CreateReservation', result: 'applied', code: '' })).toBe(3);
    expect(commands({ command: 'ConfirmReservation', result: 'applied', code: '' })).toBe(2);
    expect(commands({ command: 'ConfirmReservation', result: 'refused', code: 'RESERVATION_NOT_READY' })).toBe(1);
    expect(commands({ command: 'ConfirmReservation', result: 'conflict', code: 'CONCURRENCY_CONFLICT' })).toBe(1);
  });

  it('observes HTTP latency by method, route template and status class, and never shows a raw id', async () => {
    const text = await scrapeText();
    const samples = parse(text);
    const count = (labels: Record<string, string>) =>
      valueOf(samples, 'chronicle_http_request_duration_seconds_count', labels);

    expect(count({ method: 'POST', route: '/v1/practices/:practiceId/reservations', status_class: '2xx' })).toBe(3);
    const confirm = '/v1/practices/:practiceId/reservations/:reservationId/confirm';
    expect(count({ method: 'POST', route: confirm, status_class: '2xx' })).toBe(2);
    expect(count({ method: 'POST', route: confirm, status_class: '4xx' })).toBe(2);
    const reservation = '/v1/practices/:practiceId/reservations/:reservationId';
    expect(count({ method: 'GET', route: reservation, status_class: '4xx' })).toBe(1);
    expect(count({ method: 'GET', route: reservation, status_class: '2xx' })).toBe(1);
    expect(count({ method: 'GET', route: 'unmatched', status_class: '4xx' })).toBe(1);
    const slowest = { route: reservation, le: '+Inf' };
    expect(valueOf(samples, 'chronicle_http_request_duration_seconds_bucket', slowest)).toBeGreaterThan(0);
    for (const id of [practice, ...ids, 'beef', 'no-such-route']) expect(text).not.toContain(id);
  });

  it('shows each subscription\'s lag and dead letters, occupancy among them, at 0 once caught up', async () => {
    const deadline = Date.now() + 10_000;
    let samples = await scrape();
    while (ofSubscription(samples, 'lag_events', 'occupancy') !== 0 && Date.now() < deadline) {
      await sleep(100);
      samples = await scrape();
    }

    expect(ofSubscription(samples, 'lag_events', 'occupancy')).toBe(0);
    expect(ofSubscription(samples, 'lag_seconds', 'occupancy')).toBe(0);
    expect(ofSubscription(samples, 'dead_letters', 'occupancy')).toBe(0);
    expect(ofSubscription(samples, 'lag_events', 'saga:reservation-deposit')).toEqual(expect.any(Number));
  });

  it('shows lag growing while occupancy is paused', async () => {
    const operator = app.as(OPERATOR, 'system');
    expect((await call('POST', '/v1/admin/projections/occupancy/pause', operator)).status).toBe(200);
    try {
      await book(day(40));
      await sleep(1_100);
      const samples = await scrape();

      expect(ofSubscription(samples, 'lag_events', 'occupancy')).toBeGreaterThanOrEqual(1);
      expect(ofSubscription(samples, 'lag_seconds', 'occupancy')).toBeGreaterThanOrEqual(1);
    } finally {
      expect((await call('POST', '/v1/admin/projections/occupancy/resume', operator)).status).toBe(200);
    }
  });

  it('shows saga deadlines and outbox commands for every registered saga, none waiting here', async () => {
    const samples = await scrape();

    expect(valueOf(samples, 'chronicle_saga_deadlines_pending', { saga: 'reservation-deposit' })).toBe(0);
    expect(valueOf(samples, 'chronicle_saga_deadline_oldest_overdue_seconds', { saga: 'reservation-deposit' })).toBe(0);
    expect(valueOf(samples, 'chronicle_saga_commands_unsent', { saga: 'reservation-deposit' })).toBe(0);
    expect(valueOf(samples, 'chronicle_saga_command_oldest_unsent_seconds', { saga: 'reservation-deposit' })).toBe(0);
  });

  /** A scrape while a saga no worker runs here has rows waiting in `table`: they stay, as they would with no worker up. */
  const scrapeWithIdleSagaRows = async (table: 'saga_commands' | 'saga_deadlines', insert: string) => {
    await app.db.pool.query(insert);
    try {
      return await scrape();
    } finally {
      await app.db.pool.query(`DELETE FROM ${table} WHERE saga = 'idle-saga'`);
    }
  };
  /** Two rows wait, the oldest late by 90 seconds (allowing the test's own time). */
  const expectBacklog = (samples: Sample[], waiting: string, late: string) => {
    expect(valueOf(samples, waiting, { saga: 'idle-saga' })).toBe(2);
    const seconds = valueOf(samples, late, { saga: 'idle-saga' })!;
    expect(seconds).toBeGreaterThanOrEqual(90);
    expect(seconds).toBeLessThan(120);
  };

  it('counts a saga\'s unsent commands and shows how long the oldest has waited', async () => {
    // Commands stay unsent with no worker up, or while one keeps failing (it keeps its claim: the
    // app's own sender, which would refuse these, leaves them alone). A sent one does not count.
    const samples = await scrapeWithIdleSagaRows(
      'saga_commands',
      `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id, created_at, sent_at, claimed_until)
       VALUES (gen_random_uuid(), 'idle-saga', 't', 'k-1', 'order', 'ConfirmOrder', '{}', 'c', 'e', now() - interval '90 seconds', NULL, now() + interval '1 hour'),
              (gen_random_uuid(), 'idle-saga', 't', 'k-2', 'order', 'ConfirmOrder', '{}', 'c', 'e', now() - interval '10 seconds', NULL, now() + interval '1 hour'),
              (gen_random_uuid(), 'idle-saga', 't', 'k-3', 'order', 'ConfirmOrder', '{}', 'c', 'e', now() - interval '1 hour', now(), NULL)`,
    );

    expectBacklog(samples, 'chronicle_saga_commands_unsent', 'chronicle_saga_command_oldest_unsent_seconds');
  });

  it('counts a saga\'s pending deadlines and shows how late the oldest due one is', async () => {
    const samples = await scrapeWithIdleSagaRows(
      'saga_deadlines',
      `INSERT INTO saga_deadlines (saga, tenant_id, instance_key, name, due_at, deadline_id, correlation_id)
       VALUES ('idle-saga', 't', 'k-1', 'late', now() - interval '90 seconds', gen_random_uuid(), 'c'),
              ('idle-saga', 't', 'k-2', 'later', now() + interval '1 hour', gen_random_uuid(), 'c')`,
    );

    expectBacklog(samples, 'chronicle_saga_deadlines_pending', 'chronicle_saga_deadline_oldest_overdue_seconds');
  });

  it('shows the pool\'s connections, and Node\'s default metrics', async () => {
    const samples = await scrape();

    expect(valueOf(samples, 'chronicle_db_pool_max_connections')).toBe(10);
    const total = valueOf(samples, 'chronicle_db_pool_connections')!;
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(10);
    expect(valueOf(samples, 'chronicle_db_pool_idle_connections')).toBeLessThanOrEqual(total);
    expect(valueOf(samples, 'chronicle_db_pool_waiting_clients')).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'process_cpu_seconds_total')).toEqual(expect.any(Number));
    expect(valueOf(samples, 'nodejs_eventloop_lag_seconds')).toEqual(expect.any(Number));
  });

  it('shows the oldest open transaction\'s age, growing while one holds an xid', async () => {
    const holder = await app.db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      const first = valueOf(await scrape(), 'chronicle_db_oldest_transaction_seconds')!;
      await sleep(1_200);
      const second = valueOf(await scrape(), 'chronicle_db_oldest_transaction_seconds')!;

      // Server-wide, so another test file's transaction may be the oldest at the first scrape;
      // ours, held 1.2 s by the second, sets a floor the gauge must reach.
      expect(first).toEqual(expect.any(Number));
      expect(second).toBeGreaterThanOrEqual(1.2);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
    expect(valueOf(await scrape(), 'chronicle_db_oldest_transaction_seconds')).toBeLessThan(1);
  });

  it('leaves a family out of the scrape, and still answers, when its query fails', async () => {
    await app.db.pool.query('ALTER TABLE saga_deadlines RENAME TO saga_deadlines_away');
    try {
      const samples = await scrape();
      const next = await scrape(); // a counter's value is taken as the scrape starts: the failure shows in the next

      const saga = { saga: 'reservation-deposit' };
      expect(valueOf(samples, 'chronicle_saga_deadlines_pending', saga)).toBeUndefined();
      expect(valueOf(samples, 'chronicle_saga_deadline_oldest_overdue_seconds', saga)).toBeUndefined();
      expect(ofSubscription(samples, 'lag_events', 'occupancy')).toEqual(expect.any(Number));
      expect(valueOf(samples, 'chronicle_db_oldest_transaction_seconds')).toEqual(expect.any(Number));
      const failures = valueOf(next, 'chronicle_metrics_scrape_failures_total', { family: 'saga_deadlines' });
      expect(failures).toBeGreaterThanOrEqual(1);
    } finally {
      await app.db.pool.query('ALTER TABLE saga_deadlines_away RENAME TO saga_deadlines');
    }
  });

  it('is for operators only: 403 OPERATORS_ONLY to anyone else, 401 without a token', async () => {
    const member = await call('GET', '/metrics', app.as(OWNER));
    expect({ status: member.status, code: member.body?.error?.code }).toEqual({ status: 403, code: 'OPERATORS_ONLY' });
    expect((await call('GET', '/metrics', null)).status).toBe(401);
  });
});
