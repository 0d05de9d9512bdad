import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BODY_LIMIT_BYTES } from '../../src/app.factory.js';
import { expectError, sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The app has one thread: a body must cost time linear in its size, however many unknown
 * fields it holds, so that a few clients sending megabytes of them cannot stall everyone
 * else, and an error must stay small whatever it is about.
 */
const CLIENTS = 8;
/** The flood lasts until /health was asked HEALTH_SAMPLES times, or each client sent this many. */
const MAX_BODIES_PER_CLIENT = 40;
const HEALTH_SAMPLES = 200;
/** Far above a healthy p99 (10–40 ms), far below the defect's (7–13 s): CI's parallel files made 100 ms flaky (107, 144). */
const HEALTH_P99_LIMIT_MS = 500;

const RESERVATION = { guestId: 'g', guestName: 'G', checkInDate: '2099-01-01', nights: 1 };
const appendOf = (practiceId: string) => ({
  practiceId,
  aggregateType: 'practice',
  aggregateId: practiceId,
  eventType: 'practice.updated',
  payload: { name: 'X' },
});
const ROUTES = [
  { name: 'POST /v1/practices', path: () => '/v1/practices', valid: () => ({ name: 'x' }) },
  { name: 'POST …/reservations', path: (practiceId: string) => `/v1/practices/${practiceId}/reservations`, valid: () => RESERVATION },
  { name: 'POST /v1/events/append', path: () => '/v1/events/append', valid: appendOf },
];

/** Fields and array items in all, as the limit counts them. */
const fieldsIn = (value: unknown): number =>
  value !== null && typeof value === 'object' ? Object.values(value).reduce((sum: number, child) => sum + 1 + fieldsIn(child), 0) : 0;

/** `{ ...valid, "field0": 0, "field1": 0, … }` up to just under the body limit, or with `count` fields. */
const withUnknownFields = (valid: object, count = Infinity): string => {
  const fields: string[] = [];
  let size = JSON.stringify(valid).length;
  for (let i = 0; i < count && size < BODY_LIMIT_BYTES - 64; i++) {
    fields.push(`"field${i}":0`);
    size += fields[i].length + 1;
  }
  return `{${[JSON.stringify(valid).slice(1, -1), ...fields].filter(Boolean).join(',')}}`;
};

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
};

describe('Bodies of unknown fields', () => {
  let app: TestApp;
  let practiceId: string;

  beforeAll(async () => {
    app = await startTestApp();
    practiceId = await createPractice(app, 'olivia');
  });
  afterAll(() => app.close());

  const post = (path: string, body: string) =>
    fetch(`${app.baseUrl}${path}`, { method: 'POST', headers: app.as('olivia'), body, signal: AbortSignal.timeout(10_000) });

  /** One round: the flood until /health was asked HEALTH_SAMPLES times; /health's latencies and statuses. */
  const floodRound = async (body: string): Promise<{ latencies: number[]; healthStatuses: Set<number> }> => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const flood = new Worker(resolve('test/support/http-flood.worker.js'), {
      workerData: {
        url: `${app.baseUrl}/v1/practices`,
        headers: app.as('olivia'),
        body,
        clients: CLIENTS,
        requestsPerClient: MAX_BODIES_PER_CLIENT,
        timeoutMs: 10_000,
        stop,
      },
    });
    const statuses = new Promise<number[]>((done, fail) => flood.once('message', done).once('error', fail));
    let flooding = true;
    void statuses.then(() => (flooding = false), () => (flooding = false));
    const latencies: number[] = [];
    const healthStatuses = new Set<number>();
    try {
      while (flooding && latencies.length < HEALTH_SAMPLES) {
        const started = performance.now();
        const response = await fetch(`${app.baseUrl}/health`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
        healthStatuses.add(response.status);
      }
      Atomics.store(stop, 0, 1);
      expect(new Set(await statuses)).toEqual(new Set([400]));
    } finally {
      await flood.terminate();
    }
    return { latencies, healthStatuses };
  };

  /**
   * A machine shared with other test files (CI runs two at once) can stall any process for
   * a tenth of a second, so the limit must hold in one of ROUNDS rounds; the defect (a frozen
   * app thread: /health took 7–13 s) fails every round by two orders of magnitude.
   */
  const ROUNDS = 3;

  it(`keeps /health under ${HEALTH_P99_LIMIT_MS} ms at p99 while ${CLIENTS} clients send a megabyte of them each`, async () => {
    const body = withUnknownFields({ name: 'Flood' });
    expect(body.length).toBeGreaterThan(BODY_LIMIT_BYTES * 0.9);
    // Warm: the first requests of a process pay for compiling its code paths and opening connections.
    for (let i = 0; i < 20; i++) await (await fetch(`${app.baseUrl}/health`)).arrayBuffer();
    const p99s: number[] = [];
    for (let round = 0; round < ROUNDS && !p99s.some((p99) => p99 < HEALTH_P99_LIMIT_MS); round++) {
      const { latencies, healthStatuses } = await floodRound(body);
      expect(healthStatuses).toEqual(new Set([200]));
      expect(latencies.length).toBeGreaterThanOrEqual(HEALTH_SAMPLES / 2);
      expect(Math.max(...latencies)).toBeLessThan(5_000);
      p99s.push(percentile(latencies, 99));
    }
    expect(Math.min(...p99s)).toBeLessThan(HEALTH_P99_LIMIT_MS);
  });

  it('answers 400 TOO_MANY_FIELDS, in a few hundred bytes, to over 1,000 fields and items in all, however nested', async () => {
    const bodies = [
      withUnknownFields({ name: 'x' }, 1000),
      `{"name":"x",${Array.from({ length: 10 }, (_, i) => `"o${i}":${withUnknownFields({}, 100)}`).join(',')}}`,
      `{"name":"x","items":[${Array.from({ length: 1000 }, () => '[]').join(',')}]}`,
    ];
    for (const body of bodies) {
      const response = await post('/v1/practices', body);
      const text = await response.text();

      expect({ status: response.status, code: JSON.parse(text).error.code, size: text.length < 500 }).toEqual({
        status: 400,
        code: 'TOO_MANY_FIELDS',
        size: true,
      });
    }
  });

  it.each(ROUTES)('names at most 20 of 999 unknown fields on $name, with their count, in a few kilobytes', async (route) => {
    const valid = route.valid(practiceId);
    const unknown = 999 - fieldsIn(valid);
    const response = await post(route.path(practiceId), withUnknownFields(valid, unknown));
    const text = await response.text();

    expect({ status: response.status, small: text.length < 4096 }).toEqual({ status: 400, small: true });
    const { error } = JSON.parse(text);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { violationCount: unknown } });
    expect(error.details.violations).toHaveLength(20);
    expect(error.message).toMatch(new RegExp(` and ${unknown - 20} more$`));
  });

  it('names at most 20 of 999 fields sent to a command that takes none', async () => {
    const created = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practiceId}/reservations`, app.as('olivia'), RESERVATION);
    const confirm = `/v1/practices/${practiceId}/reservations/${created.body.reservationId}/confirm`;
    const response = await post(confirm, withUnknownFields({}, 999));
    const text = await response.text();

    expect({ status: response.status, small: text.length < 4096 }).toEqual({ status: 400, small: true });
    expect(JSON.parse(text).error).toMatchObject({ code: 'VALIDATION_FAILED', details: { violationCount: 999 } });
  });

  it('names at most 20 of 993 unknown fields of an event payload', async () => {
    const payload = JSON.parse(withUnknownFields({ name: 'X' }, 993));
    const reply = await sendJson(app.baseUrl, 'POST', '/v1/events/append', app.as('olivia'), { ...appendOf(practiceId), payload });

    expectError(reply, 400, 'INVALID_EVENT_PAYLOAD');
    expect(JSON.stringify(reply.body).length).toBeLessThan(4096);
    expect(reply.body.error.details).toMatchObject({ violationCount: 993 });
    expect(reply.body.error.details.violations).toHaveLength(20);
  });
});

