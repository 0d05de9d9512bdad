import { setTimeout as sleep } from 'node:timers/promises';
import { occupancyStep, type OccupancyStay } from '../../src/contexts/reservations/infrastructure/occupancy.js';
import { SubscriptionWorkerHost as ProjectionWorkerHost } from '../../src/event-sourcing/nest/subscription-worker.host.js';
import { leaseKey, leaseKeyAsOid } from '../../src/event-sourcing/subscriptions/lease-key.js';
import { ProjectionAdmin } from '../../src/event-sourcing/projections/projection-admin.js';
import type { ProjectionReport } from '../../src/event-sourcing/projections/projection-status.js';
import type { ReservationEvent } from '../../src/contexts/reservations/domain/reservation.events.js';
import type { EventOf } from '../../src/event-sourcing/store/event-envelope.js';
import { expectErrorCode, sendJson, type Reply as FullReply } from '../support/http.js';

type Reply = Pick<FullReply, 'status' | 'body'>;
import { startTestApp, type TestApp } from '../support/test-app.js';
import { spawnCli, type RunningCli } from '../support/processes.js';
import { createApp } from '../../src/app.factory.js';
import { validateEnvironment } from '../../src/config/environment.js';

/**
 * The operators' API for async projections, over real HTTP, against the `occupancy`
 * projection run by the app's in-process worker: who may call it, status and lag, the kill
 * switch, replay, rebuild (with appends going on) and dead letters. The tests run in order
 * and share one database: later ones check the read model against a fold of every
 * reservation event so far, so an event lost or applied twice anywhere before shows there.
 */


const OWNER = 'odile';
const OPERATOR = 'ops-1';
const OTHER_OPERATOR = 'ops-2';
const PROJECTION = '/v1/admin/projections/occupancy';
const RESERVATION_TYPES = [
  'reservation.created',
  'reservation.confirmed',
  'reservation.changed',
  'reservation.checked_in',
  'reservation.completed',
  'reservation.cancelled',
];

const DAY_MS = 86_400_000;
/** A calendar day `n` days from today (UTC). */
const day = (n: number): string => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);

const CATCH_UP_MS = 20_000;

describe('Admin API for async projections', () => {
  let app: TestApp;
  let practice: string;
  let workerId: string;

  // Only status and body: the specs compare whole replies.
  const call = async (method: string, path: string, headers: Record<string, string> | null, body?: unknown): Promise<Reply> => {
    const { status, body: json } = await sendJson(app.baseUrl, method, path, headers, body);
    return { status, body: json };
  };
  const system = () => app.as(OPERATOR, 'system');
  const admin = (method: string, path: string, body?: unknown) => call(method, path, system(), body);
  const expectError = expectErrorCode;

  const report = async (): Promise<ProjectionReport> => {
    const reply = await admin('GET', PROJECTION);
    expect(reply.status).toBe(200);
    return reply.body as ProjectionReport;
  };

  /**
   * 20 s by default: test files run in parallel on one PostgreSQL, and a transaction another
   * file holds open (behind a lock, for seconds) holds back every database's read fence
   * (`pg_snapshot_xmin` is the cluster's), so a worker here may wait on it as long.
   */
  const waitFor = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = CATCH_UP_MS): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last seen: ${JSON.stringify(value)}`);
      await sleep(25);
    }
  };

  /**
   * Running, not paused, no lag, and every partition at the newest event. (The report's
   * queries each see their own moment, so no lag alone may come with a partition a step behind.)
   */
  const caughtUp = async (timeoutMs = CATCH_UP_MS): Promise<ProjectionReport> => {
    const seen = await waitFor(
      'occupancy to catch up',
      async () => ({ head: await head(), report: await report() }),
      ({ head: { transactionId, position }, report: r }) =>
        r.status === 'running' && !r.paused && r.lagEvents === 0 && r.partitions.every((p) => p.position === position && p.transactionId === transactionId),
      timeoutMs,
    );
    return seen.report;
  };

  const head = async (): Promise<{ transactionId: string; position: number }> => {
    const { rows } = await app.db.pool.query<{ transaction_id: string; position: string }>(
      `SELECT e.transaction_id::text AS transaction_id, e.position FROM events e ORDER BY e.transaction_id DESC, e.position DESC LIMIT 1`,
    );
    return { transactionId: rows[0].transaction_id, position: Number(rows[0].position) };
  };

  const eventOf = async (reservationId: string, version: number): Promise<{ position: number; transactionId: string; eventId: string }> => {
    const { rows } = await app.db.pool.query<{ position: string; transaction_id: string; event_id: string }>(
      `SELECT position, transaction_id::text, event_id::text FROM events WHERE aggregate_type = 'reservation' AND aggregate_id = $1 AND version = $2`,
      [reservationId, version],
    );
    return { position: Number(rows[0].position), transactionId: rows[0].transaction_id, eventId: rows[0].event_id };
  };

  const applied = (r: ProjectionReport): number => r.partitions.reduce((sum, p) => sum + p.eventsApplied, 0);
  const places = (r: ProjectionReport) => r.partitions.map((p) => ({ partition: p.partition, position: p.position, transactionId: p.transactionId }));

  const book = async (checkInDate: string, nights: number): Promise<string> => {
    const reply = await call('POST', `/v1/practices/${practice}/reservations`, app.as(OWNER), { guestId: 'g-9', guestName: 'Emmy Noether', checkInDate, nights });
    expect(reply.status).toBe(201);
    return reply.body.reservationId as string;
  };
  const command = (id: string, name: string, body?: unknown) => call('POST', `/v1/practices/${practice}/reservations/${id}/${name}`, app.as(OWNER), body);
  const send = async (id: string, name: string, body?: unknown): Promise<void> => {
    const reply = await command(id, name, body);
    expect({ name, status: reply.status }).toEqual({ name, status: 200 });
  };

  /** Occupancy over HTTP: the days of [from, to] with a non-zero count. */
  const occupancy = async (from: string, to: string): Promise<Record<string, number>> => {
    const reply = await call('GET', `/v1/practices/${practice}/occupancy?from=${from}&to=${to}`, app.as(OWNER));
    expect(reply.status).toBe(200);
    return Object.fromEntries((reply.body.days as { date: string; reserved: number }[]).filter((d) => d.reserved !== 0).map((d) => [d.date, d.reserved]));
  };

  /** What the occupancy tables hold (zero counts left out). */
  const model = async () => {
    const days = await app.db.pool.query<{ practice_id: string; day: string; reserved: number }>(
      `SELECT practice_id, to_char(day, 'YYYY-MM-DD') AS day, reserved FROM occupancy_days WHERE reserved <> 0`,
    );
    const stays = await app.db.pool.query<{ practice_id: string; reservation_id: string; check_in_date: string; nights: number; counted: boolean }>(
      `SELECT practice_id, reservation_id, to_char(check_in_date, 'YYYY-MM-DD') AS check_in_date, nights, counted FROM occupancy_stays`,
    );
    return {
      days: Object.fromEntries(days.rows.map((r) => [`${r.practice_id} ${r.day}`, r.reserved])),
      stays: Object.fromEntries(stays.rows.map((r) => [`${r.practice_id} ${r.reservation_id}`, { checkInDate: r.check_in_date, nights: r.nights, counted: r.counted }])),
    };
  };

  /** The same, computed here: `occupancyStep` over every reservation event in the log, per stream in position order. */
  const folded = async () => {
    const { rows } = await app.db.pool.query<{ tenant_id: string; aggregate_id: string; type: string; data: unknown }>(
      `SELECT tenant_id, aggregate_id, type, data FROM events WHERE aggregate_type = 'reservation' ORDER BY position`,
    );
    const stays = new Map<string, OccupancyStay | null>();
    const days = new Map<string, number>();
    for (const row of rows) {
      const key = `${row.tenant_id} ${row.aggregate_id}`;
      const event = { tenantId: row.tenant_id, aggregateType: 'reservation', aggregateId: row.aggregate_id, type: row.type, data: row.data } as unknown as EventOf<ReservationEvent>;
      const step = occupancyStep(stays.get(key) ?? null, event);
      stays.set(key, step.stay);
      for (const [night, delta] of step.deltas) days.set(`${row.tenant_id} ${night}`, (days.get(`${row.tenant_id} ${night}`) ?? 0) + delta);
    }
    return {
      events: rows.length,
      model: {
        days: Object.fromEntries([...days].filter(([, n]) => n !== 0)),
        stays: Object.fromEntries([...stays].filter((entry): entry is [string, OccupancyStay] => entry[1] !== null)),
      },
    };
  };

  const expectModelToMatchFold = async (): Promise<number> => {
    const expected = await folded();
    expect(await model()).toEqual(expected.model);
    return expected.events;
  };

  const tableOid = async (): Promise<number> =>
    (await app.db.pool.query<{ oid: number }>(`SELECT 'occupancy_days'::regclass::oid::int AS oid`)).rows[0].oid;

  /** Whether someone holds occupancy's rebuild lock (advisory lock on slot -1). */
  const rebuildLockHeld = async (): Promise<boolean> =>
    (
      await app.db.pool.query<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND classid::bigint = $1 AND objid::bigint = 4294967295 AND objsubid = 2) AS held`,
        [leaseKeyAsOid('occupancy')],
      )
    ).rows[0].held;

  /** Until the swap has happened (a new table), the status is back to running and no rebuild holds the lock. */
  const rebuilt = (before: number, timeoutMs = CATCH_UP_MS) =>
    waitFor(
      'the rebuild to swap and finish',
      async () => ({ oid: await tableOid(), status: (await report()).status, locked: await rebuildLockHeld() }),
      (s) => s.oid !== before && s.status === 'running' && !s.locked,
      timeoutMs,
    );

  const leftovers = async () =>
    (
      await app.db.pool.query<{ name: string }>(
        `SELECT relname AS name FROM pg_class WHERE relname LIKE 'occupancy%' AND relkind = 'r' AND (relname LIKE '%rebuild%' OR relname LIKE '%retired%')`,
      )
    ).rows.map((r) => r.name);

  beforeAll(async () => {
    // The rebuild test's writers send one command after another as fast as the app answers,
    // more than the default 300 a second a user allows: a 429 is not what they test (rate-limits.e2e does).
    app = await startTestApp({
      OPERATOR_USER_IDS: `${OPERATOR}, ${OTHER_OPERATOR}`,
      RATE_LIMIT_USER_PER_SECOND: '1000000',
      RATE_LIMIT_TENANT_PER_SECOND: '1000000',
    });
    const created = await call('POST', '/v1/practices', app.as(OWNER), { name: 'Harbour Rooms' });
    expect(created.status).toBe(201);
    practice = created.body.practiceId;
    const worker = app.app.get(ProjectionWorkerHost).current;
    if (!worker) throw new Error('the test app runs no projection worker');
    workerId = worker.workerId;
    await book(day(5), 2);
  });
  afterAll(() => app.close());

  describe('who may call it', () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/v1/admin/projections'],
      ['GET', PROJECTION],
      ['GET', '/v1/admin/projections/no-such-projection'],
      ['POST', `${PROJECTION}/pause`],
      ['POST', `${PROJECTION}/resume`],
      ['POST', `${PROJECTION}/replay`, { fromPosition: 0 }],
      ['POST', `${PROJECTION}/rebuild`],
      ['GET', '/v1/admin/dead-letters'],
      ['GET', '/v1/admin/dead-letters?projection=occupancy'],
      ['POST', '/v1/admin/dead-letters/1/retry'],
    ];

    it('answers 403 OPERATORS_ONLY to a practice owner on every route, and nothing changes', async () => {
      const before = await caughtUp();
      const oid = await tableOid();

      for (const [method, path, body] of routes) {
        const reply = await call(method, path, app.as(OWNER), body);
        expect({ method, path, status: reply.status, code: reply.body?.error?.code }).toEqual({ method, path, status: 403, code: 'OPERATORS_ONLY' });
      }

      const after = await report();
      expect({ status: after.status, paused: after.paused, places: places(after) }).toEqual({ status: 'running', paused: false, places: places(before) });
      expect(await tableOid()).toBe(oid);
    });

    it('answers 403 to an AI actor, to users not listed (even as the system actor), 401 without a token', async () => {
      for (const headers of [app.as('ops', 'ai'), app.as('ops-10'), app.as('ops-'), app.as(`${OPERATOR},${OTHER_OPERATOR}`)]) {
        expectError(await call('GET', '/v1/admin/projections', headers), 403, 'OPERATORS_ONLY');
      }
      expectError(await call('GET', '/v1/admin/projections', app.as('anyone', 'system')), 403, 'SYSTEM_ACTOR_NOT_ALLOWED');
      for (const [method, path, body] of routes) {
        const reply = await call(method, path, null, body);
        expect({ path, status: reply.status, code: reply.body?.error?.code }).toEqual({ path, status: 401, code: 'UNAUTHENTICATED' });
      }
    });

    it('lets every user in OPERATOR_USER_IDS in, as a person or as the system actor', async () => {
      for (const headers of [system(), app.as(OPERATOR), app.as(OTHER_OPERATOR)]) {
        const reply = await call('GET', '/v1/admin/projections', headers);
        expect(reply.status).toBe(200);
        expect(reply.body.projections.map((p: ProjectionReport) => p.name)).toContain('occupancy');
      }
      expect((await call('GET', '/v1/admin/dead-letters', app.as(OPERATOR))).status).toBe(200);
    });

    it('answers 404 PROJECTION_NOT_FOUND to an operator naming an unknown projection, on every route', async () => {
      for (const [method, path, body] of [
        ['GET', '/v1/admin/projections/no-such-projection'],
        ['POST', '/v1/admin/projections/no-such-projection/pause'],
        ['POST', '/v1/admin/projections/no-such-projection/resume'],
        ['POST', '/v1/admin/projections/no-such-projection/replay', { fromPosition: 0 }],
        ['POST', '/v1/admin/projections/no-such-projection/rebuild'],
      ] as [string, string, unknown?][]) {
        const reply = await admin(method, path, body);
        expect({ path, status: reply.status, code: reply.body?.error?.code }).toEqual({ path, status: 404, code: 'PROJECTION_NOT_FOUND' });
      }
      expect(await admin('GET', '/v1/admin/dead-letters?projection=no-such-projection')).toEqual({ status: 200, body: { deadLetters: [] } });
    });
  });

  describe('status', () => {
    it('shows occupancy running, its partitions at the head of the log owned by the in-process worker, and no lag', async () => {
      const caught = await caughtUp();
      const { transactionId, position } = await head();

      const list = await admin('GET', '/v1/admin/projections');

      expect(list.status).toBe(200);
      const listed = (list.body.projections as ProjectionReport[]).find((p) => p.name === 'occupancy');
      expect(listed).toEqual({
        name: 'occupancy',
        handles: RESERVATION_TYPES,
        status: 'running',
        paused: false,
        lastError: null,
        partitions: [0, 1, 2, 3].map((partition) => ({
          partition,
          position,
          transactionId,
          eventsApplied: expect.any(Number),
          owner: workerId,
          ownerAlive: true,
          updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        })),
        lagEvents: 0,
        lagSeconds: 0,
        deadLetters: 0,
      });
      expect(await report()).toEqual(listed);
      expect(caught.partitions.map((p) => p.owner)).toEqual([workerId, workerId, workerId, workerId]);
    });

    it('counts each new reservation event once, and returns to no lag at the new head', async () => {
      const before = await caughtUp();
      const id = await book(day(8), 1);
      await send(id, 'confirm');
      await send(id, 'change', { checkInDate: day(9), nights: 2 });

      const after = await caughtUp();

      expect(applied(after) - applied(before)).toBe(3);
      const { position } = await head();
      expect(after.partitions.map((p) => p.position)).toEqual([position, position, position, position]);
      expect(after.lagSeconds).toBe(0);
      expect(await occupancy(day(8), day(11))).toEqual({ [day(9)]: 1, [day(10)]: 1 });
    });
  });

  describe('kill switch', () => {
    it('pause holds new events back without moving a checkpoint; resume applies each of them exactly once', async () => {
      await caughtUp();
      const paused = await admin('POST', `${PROJECTION}/pause`);
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ name: 'occupancy', paused: true, status: 'running' });
      await sleep(200); // a batch already under way may still commit
      const before = await report();

      await book(day(20), 2);
      const b = await book(day(21), 3);
      await send(b, 'change', { checkInDate: day(25), nights: 1 });
      const c = await book(day(22), 1);
      await send(c, 'cancel', { reason: 'storm' });
      await sleep(1_500); // longer than the worker's poll interval; each append also sent a NOTIFY

      const held = await report();
      expect({ paused: held.paused, places: places(held), applied: applied(held) }).toEqual({ paused: true, places: places(before), applied: applied(before) });
      expect(held.lagEvents).toBeGreaterThanOrEqual(5);
      expect(held.lagSeconds).toBeGreaterThan(0);
      expect(await occupancy(day(19), day(26))).toEqual({});
      expect((await admin('GET', '/v1/admin/projections')).body.projections.find((p: ProjectionReport) => p.name === 'occupancy').paused).toBe(true);

      const resumed = await admin('POST', `${PROJECTION}/resume`);
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ name: 'occupancy', paused: false, status: 'running' });
      const after = await caughtUp();

      expect(applied(after) - applied(before)).toBe(5);
      expect(await occupancy(day(19), day(26))).toEqual({ [day(20)]: 1, [day(21)]: 1, [day(25)]: 1 });
      await expectModelToMatchFold();
    });

    it('takes a second pause and a resume of a running projection in its stride', async () => {
      expect((await admin('POST', `${PROJECTION}/pause`)).body.paused).toBe(true);
      expect((await admin('POST', `${PROJECTION}/pause`)).body.paused).toBe(true);
      expect((await admin('POST', `${PROJECTION}/resume`)).body.paused).toBe(false);
      expect((await admin('POST', `${PROJECTION}/resume`)).body).toMatchObject({ paused: false, status: 'running' });
      await caughtUp();
    });
  });

  describe('replay', () => {
    it('moves every partition\'s checkpoint back to just before the position, then re-applies from there', async () => {
      const id = await book(day(30), 2);
      await send(id, 'confirm'); // re-applying a confirmation changes no count
      const before = await caughtUp();
      const confirmed = await eventOf(id, 2);
      expect(await head()).toEqual({ transactionId: confirmed.transactionId, position: confirmed.position });
      expect((await admin('POST', `${PROJECTION}/pause`)).status).toBe(200);

      const replayed = await admin('POST', `${PROJECTION}/replay`, { fromPosition: confirmed.position });
      expect(replayed.status).toBe(200);
      const justBefore = [0, 1, 2, 3].map((partition) => ({ partition, position: confirmed.position - 1, transactionId: confirmed.transactionId }));
      expect(places(replayed.body)).toEqual(justBefore);
      expect(replayed.body.lagEvents).toBe(1);
      expect(places(await report())).toEqual(justBefore);

      await admin('POST', `${PROJECTION}/resume`);
      const after = await caughtUp();

      expect(applied(after) - applied(before)).toBe(1);
      expect(after.partitions.map((p) => p.position)).toEqual([confirmed.position, confirmed.position, confirmed.position, confirmed.position]);
      expect(await occupancy(day(29), day(33))).toEqual({ [day(30)]: 1, [day(31)]: 1 });
      await expectModelToMatchFold();
    });

    it('leaves a partition whose checkpoint is before the position where it is: the events it has not applied are not skipped', async () => {
      await caughtUp();
      expect((await admin('POST', `${PROJECTION}/pause`)).status).toBe(200);
      await book(day(50), 1);
      const later = await book(day(52), 1);
      const paused = await report();

      const replayed = await admin('POST', `${PROJECTION}/replay`, { fromPosition: (await eventOf(later, 1)).position });
      expect(replayed.status).toBe(200);
      expect(places(replayed.body)).toEqual(places(paused));

      await admin('POST', `${PROJECTION}/resume`);
      await caughtUp();
      expect(await occupancy(day(50), day(52))).toEqual({ [day(50)]: 1, [day(52)]: 1 });
      await expectModelToMatchFold();
    });

    it('moves every partition back to the start from 0; a replay from further on then moves none forward', async () => {
      await caughtUp();
      expect((await admin('POST', `${PROJECTION}/pause`)).status).toBe(200);
      const atStart = [0, 1, 2, 3].map((partition) => ({ partition, position: 0, transactionId: '0' }));

      const fromStart = await admin('POST', `${PROJECTION}/replay`, { fromPosition: 0 });
      expect(fromStart.status).toBe(200);
      expect(places(fromStart.body)).toEqual(atStart);
      expect(fromStart.body.lagEvents).toBeGreaterThan(0);
      const further = await admin('POST', `${PROJECTION}/replay`, { fromPosition: (await head()).position });
      expect(further.status).toBe(200);
      expect(places(further.body)).toEqual(atStart);

      // Occupancy takes every event again in its stride: each stay is folded from its stored state.
      await admin('POST', `${PROJECTION}/resume`);
      await caughtUp();
      await expectModelToMatchFold();
    });

    it('answers 404 POSITION_NOT_FOUND for a position without an event, and 400 to a position that is no position', async () => {
      const { position } = await head();
      expectError(await admin('POST', `${PROJECTION}/replay`, { fromPosition: position + 1_000 }), 404, 'POSITION_NOT_FOUND');
      for (const body of [{ fromPosition: -1 }, { fromPosition: 1.5 }, { fromPosition: '3' }, { fromPosition: 3, extra: true }]) {
        const reply = await admin('POST', `${PROJECTION}/replay`, body);
        expect({ body, status: reply.status, code: reply.body?.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
      }
      const after = await caughtUp();
      expect(after.partitions.map((p) => p.position)).toEqual([position, position, position, position]);
    });
  });

  describe('dead letters', () => {
    afterEach(async () => {
      await app.db.pool.query(`ALTER TABLE occupancy_days DROP CONSTRAINT IF EXISTS no_new_year_2099, DROP CONSTRAINT IF EXISTS no_new_year_2098`);
    });

    it('stops at an event the read model refuses, lists it with the error and stack, and runs again from it on retry', async () => {
      await caughtUp();
      await app.db.pool.query(`ALTER TABLE occupancy_days ADD CONSTRAINT no_new_year_2099 CHECK (day <> '2099-01-01')`);

      const poison = await book('2099-01-01', 1);
      const stopped = await waitFor('occupancy to stop', report, (r) => r.status === 'stopped');

      const event = await eventOf(poison, 1);
      expect(stopped.lastError).toContain(event.eventId);
      expect(stopped.lastError).toContain('no_new_year_2099');
      expect(stopped.deadLetters).toBe(1);
      const letters = await admin('GET', '/v1/admin/dead-letters?projection=occupancy');
      expect(letters.status).toBe(200);
      expect(letters.body.deadLetters).toEqual([
        {
          id: expect.any(Number),
          projection: 'occupancy',
          partition: expect.any(Number),
          eventId: event.eventId,
          position: event.position,
          stream: `${practice}/reservation/${poison}`,
          eventType: 'reservation.created',
          error: expect.stringContaining('no_new_year_2099'),
          stack: expect.stringMatching(/no_new_year_2099[\s\S]*\n\s+at /),
          attempts: 5,
          createdAt: expect.any(String),
          retriedAt: null,
        },
      ]);
      const letter = letters.body.deadLetters[0];
      expect((await admin('GET', '/v1/admin/dead-letters')).body.deadLetters).toEqual([letter]);
      expect((await admin('GET', '/v1/admin/dead-letters?projection=reservation-list')).body.deadLetters).toEqual([]);

      // Stopped means stopped: later events wait.
      await sleep(100);
      await book(day(40), 1);
      await sleep(1_200);
      expect(await occupancy(day(40), day(40))).toEqual({});
      expect((await report()).status).toBe('stopped');

      await app.db.pool.query(`ALTER TABLE occupancy_days DROP CONSTRAINT no_new_year_2099`);
      const retried = await admin('POST', `/v1/admin/dead-letters/${letter.id}/retry`);

      expect(retried.status).toBe(200);
      expect(retried.body).toEqual({ ...letter, retriedAt: expect.any(String) });
      const running = await caughtUp();
      expect({ lastError: running.lastError, deadLetters: running.deadLetters }).toEqual({ lastError: null, deadLetters: 0 });
      expect(await occupancy('2099-01-01', '2099-01-02')).toEqual({ '2099-01-01': 1 });
      expect(await occupancy(day(40), day(40))).toEqual({ [day(40)]: 1 });
      expect((await admin('GET', '/v1/admin/dead-letters?projection=occupancy')).body.deadLetters).toEqual([{ ...letter, retriedAt: expect.any(String) }]);
      await expectModelToMatchFold();
    });

    it('does not apply an event twice when its dead letter is retried after a resume already applied it', async () => {
      await caughtUp();
      await app.db.pool.query(`ALTER TABLE occupancy_days ADD CONSTRAINT no_new_year_2098 CHECK (day <> '2098-01-01')`);
      await book('2098-01-01', 1);
      await waitFor('occupancy to stop', report, (r) => r.status === 'stopped');
      const letter = (await admin('GET', '/v1/admin/dead-letters?projection=occupancy')).body.deadLetters.find((l: { retriedAt: string | null }) => !l.retriedAt);
      await app.db.pool.query(`ALTER TABLE occupancy_days DROP CONSTRAINT no_new_year_2098`);

      expect((await admin('POST', `${PROJECTION}/resume`)).status).toBe(200); // restarts the projection at the poison event
      await caughtUp();
      expect(await occupancy('2098-01-01', '2098-01-01')).toEqual({ '2098-01-01': 1 });
      expect((await admin('POST', `/v1/admin/dead-letters/${letter.id}/retry`)).status).toBe(200);
      await caughtUp();

      expect(await occupancy('2098-01-01', '2098-01-01')).toEqual({ '2098-01-01': 1 });
      await expectModelToMatchFold();
    });

    it('answers 404 DEAD_LETTER_NOT_FOUND to an unknown id, 400 INVALID_ID to an id that is no dead letter\'s number', async () => {
      expectError(await admin('POST', '/v1/admin/dead-letters/999999/retry'), 404, 'DEAD_LETTER_NOT_FOUND');
      // Past 2^53 a number is rounded: 99999999999999999999 was taken for 100000000000000000000.
      for (const route of ['/v1/admin/dead-letters', '/v1/admin/sagas/dead-letters', '/v1/admin/inbox/dead-letters']) {
        for (const id of ['first', '0', '-1', '9007199254740992', '99999999999999999999']) {
          const reply = await admin('POST', `${route}/${id}/retry`);
          expect({ route, id, status: reply.status, code: reply.body?.error?.code }).toEqual({ route, id, status: 400, code: 'INVALID_ID' });
        }
      }
      expect((await admin('GET', '/v1/admin/dead-letters?colour=red')).status).toBe(400);
    });
  });

  describe('rebuild', () => {
    it('builds a new model from event 0 while readers keep the old one, then swaps; one rebuild at a time', async () => {
      await caughtUp();
      await expectModelToMatchFold();
      const before = await tableOid();
      const shown = await occupancy(day(0), day(40));
      expect(Object.keys(shown).length).toBeGreaterThan(0);
      // A long report holding the live table: the swap has to wait for it, so the rebuild is seen under way.
      const reader = await app.db.pool.connect();
      try {
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM occupancy_stays');

        const started = await admin('POST', `${PROJECTION}/rebuild`);
        expect(started).toEqual({ status: 202, body: { name: 'occupancy', rebuilding: true } });
        const rebuilding = await waitFor('status rebuilding', report, (r) => r.status === 'rebuilding');
        expect(rebuilding.name).toBe('occupancy');

        expect(await admin('POST', `${PROJECTION}/rebuild`)).toEqual({ status: 202, body: { name: 'occupancy', rebuilding: true } });
        const second = await app.app
          .get(ProjectionAdmin)
          .rebuild('occupancy')
          .then(
            () => null,
            (error: unknown) => error,
          );
        expect(second).toMatchObject({ kind: 'conflict', code: 'REBUILD_IN_PROGRESS' });
        // Writes go on; readers see the old model, and the new event waits for the swap.
        await book(day(41), 1);
        await sleep(300);
        expect(await occupancy(day(0), day(40))).toEqual(shown);
        expect(await occupancy(day(41), day(41))).toEqual({});
        expect(await tableOid()).toBe(before);
        expect((await report()).status).toBe('rebuilding');
      } finally {
        await reader.query('COMMIT').catch(() => undefined);
        reader.release();
      }

      await rebuilt(before);
      // The live worker, paused while the rebuild ran, resumes at its next poll: under the
      // whole suite's load that once took over 5 s.
      await caughtUp();
      expect(await occupancy(day(0), day(40))).toEqual(shown);
      expect(await occupancy(day(41), day(41))).toEqual({ [day(41)]: 1 });
      await expectModelToMatchFold();
      expect(await leftovers()).toEqual([]);
    });

    it('rebuilds while reservations keep coming: nothing lost, nothing applied twice', async () => {
      await caughtUp();
      const before = await tableOid();
      const eventsBefore = (await folded()).events;
      let stop = false;
      let writes = 0;
      const writer = async (seed: number): Promise<void> => {
        let state = seed;
        const next = (n: number) => {
          state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
          return state % n;
        };
        const open: string[] = [];
        while (!stop) {
          const pick = next(10);
          if (open.length > 0 && pick < 2) {
            const reply = await command(open[next(open.length)], 'change', { checkInDate: day(300 + next(30)), nights: 1 + next(4) });
            expect([200, 409]).toContain(reply.status);
          } else if (open.length > 0 && pick < 3) {
            const [id] = open.splice(next(open.length), 1);
            expect((await command(id, 'cancel', { reason: 'changed plans' })).status).toBe(200);
          } else if (open.length > 0 && pick < 4) {
            expect([200, 409]).toContain((await command(open[next(open.length)], 'confirm')).status);
          } else {
            open.push(await book(day(300 + next(30)), 1 + next(5)));
          }
          writes++;
        }
      };
      const started = Date.now();
      const writers = [writer(1), writer(2), writer(3)];
      try {
        // Writes under way before the rebuild starts: a fixed pause was not always enough on a loaded CI machine.
        for (const until = Date.now() + 10_000; writes === 0 && Date.now() < until; ) await sleep(50);
        const writesBefore = writes;
        expect(await admin('POST', `${PROJECTION}/rebuild`)).toEqual({ status: 202, body: { name: 'occupancy', rebuilding: true } });
        expect(await admin('POST', `${PROJECTION}/rebuild`)).toEqual({ status: 202, body: { name: 'occupancy', rebuilding: true } });

        await rebuilt(before);
        const writesAtSwap = writes;
        await sleep(Math.max(300, 2_000 - (Date.now() - started)));
        expect(writesBefore).toBeGreaterThan(0);
        expect(writesAtSwap).toBeGreaterThan(writesBefore);
        expect(writes).toBeGreaterThan(writesAtSwap);
      } finally {
        stop = true;
        await Promise.all(writers);
      }

      await caughtUp();
      const events = await expectModelToMatchFold();
      expect(events - eventsBefore).toBeGreaterThanOrEqual(20); // written during this test, around the swap
      expect(await leftovers()).toEqual([]);
    });

    it('waits for a worker batch in flight at the swap instead of failing the rebuild', async () => {
      await caughtUp();
      const before = await tableOid();
      // A batch as PartitionRunner commits one: it moves its checkpoint (row lock), then writes
      // the read model. The swap must take its locks in the same order, or the two deadlock and
      // PostgreSQL aborts the swap ("deadlock detected").
      const batch = await app.db.pool.connect();
      try {
        await batch.query('BEGIN');
        await batch.query(`SET LOCAL lock_timeout = '5s'`);
        // The row lock its checkpoint UPDATE takes (as a lock only: a row being updated would make
        // the admin's INSERT … ON CONFLICT DO NOTHING wait too, as it does for a real batch's few ms).
        await batch.query(`SELECT 1 FROM projection_checkpoints WHERE projection = 'occupancy' AND partition = 0 FOR NO KEY UPDATE`);
        const pid = (await batch.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

        expect((await admin('POST', `${PROJECTION}/rebuild`)).status).toBe(202);
        await waitFor(
          'the swap to wait for the batch',
          async () =>
            (
              await app.db.pool.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
                [pid],
              )
            ).rows[0].n,
          (n) => n > 0,
        );
        await batch.query(`UPDATE projection_checkpoints SET updated_at = now() WHERE projection = 'occupancy' AND partition = 0`);
        await batch.query(`UPDATE occupancy_stays SET nights = nights WHERE false`);
        await batch.query(`UPDATE occupancy_days SET reserved = reserved WHERE false`);
        await batch.query('COMMIT');
      } finally {
        await batch.query('ROLLBACK').catch(() => undefined);
        batch.release();
      }

      await rebuilt(before);
      await caughtUp();
      await expectModelToMatchFold();
      expect(await leftovers()).toEqual([]);
    });

    /**
     * Holds a rebuild at its swap (its SELECT … FOR UPDATE of the checkpoints waits for this
     * transaction), then runs `interrupt` with the status 'rebuilding', then lets go.
     */
    const heldAtTheSwap = async (start: () => Promise<void>, interrupt: () => Promise<void>): Promise<void> => {
      const holder = await app.db.pool.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`SELECT 1 FROM projection_checkpoints WHERE projection = 'occupancy' FOR UPDATE`);
        const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await start();
        await waitFor('the rebuild to wait at its swap', async () => ({
          status: (await report()).status,
          waiting: (
            await app.db.pool.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
              [pid],
            )
          ).rows[0].n,
        }), (s) => s.status === 'rebuilding' && s.waiting > 0);
        await interrupt();
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        holder.release();
      }
    };

    it('runs the projection again on its own when a rebuild\'s process is killed before its swap; POST …/rebuild then starts one that finishes', async () => {
      await caughtUp();
      const before = await tableOid();
      const shown = await occupancy(day(0), day(40));
      let rebuildCli: RunningCli | undefined;
      // The CLI's process, killed as a deploy, a crash or the OOM killer would.
      await heldAtTheSwap(
        async () => void (rebuildCli = spawnCli(app.db.url, ['projections:rebuild', 'occupancy'], 60_000)),
        async () => {
          rebuildCli!.child.kill('SIGKILL');
          await rebuildCli!.exited;
        },
      );
      // No operator: the workers see no rebuild holds the lease, and go on from the old checkpoints over the old tables.
      await book(day(42), 1);
      const resumed = await caughtUp();
      expect(resumed.lastError).toMatch(/^rebuild interrupted/);
      expect(await tableOid()).toBe(before);
      expect(await occupancy(day(0), day(40))).toEqual(shown);
      expect(await occupancy(day(42), day(42))).toEqual({ [day(42)]: 1 });
      await expectModelToMatchFold();
      // What the rebuild had built stays until the next one, which starts as asked and finishes.
      expect((await leftovers()).sort()).toEqual(['occupancy_days__rebuild', 'occupancy_stays__rebuild']);
      expect(await admin('POST', `${PROJECTION}/rebuild`)).toEqual({ status: 202, body: { name: 'occupancy', rebuilding: true } });
      await rebuilt(before);
      await caughtUp();
      await expectModelToMatchFold();
      expect(await leftovers()).toEqual([]);
      expect((await report()).lastError).toBeNull();
    }, 60_000);

    it('ends a rebuild started over HTTP when its process shuts down: the old model serves, nothing is left behind, the workers go on', async () => {
      await caughtUp();
      const before = await tableOid();
      // A second process (web: no workers) that the rebuild is asked of, and that then shuts down.
      const env = validateEnvironment({ DATABASE_URL: app.db.url, PORT: '0', LOG_LEVEL: 'error', ROLE: 'web', OPERATOR_USER_IDS: OPERATOR });
      const web = await createApp(env, { docsUi: false });
      await web.listen(0, '127.0.0.1');
      const address = web.getHttpServer().address();
      const webUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      let closed = false;
      try {
        await heldAtTheSwap(
          async () => expect((await sendJson(webUrl, 'POST', `${PROJECTION}/rebuild`, system())).status).toBe(202),
          // Does not wait for the swap's locks: the swap is cancelled and rolls back.
          async () => {
            await web.close();
            closed = true;
          },
        );
      } finally {
        if (!closed) await web.close();
      }
      expect({ status: (await report()).status, lastError: (await report()).lastError, locked: await rebuildLockHeld(), leftovers: await leftovers() }).toEqual({
        status: 'running',
        lastError: null,
        locked: false,
        leftovers: [],
      });
      expect(await tableOid()).toBe(before);
      await book(day(43), 1);
      await caughtUp();
      await expectModelToMatchFold();
    }, 60_000);

    it('resumes a projection a dead rebuild left \'rebuilding\', and leaves a live rebuild alone', async () => {
      await caughtUp();
      // What a rebuild killed before its swap leaves, the lease gone with its session: the status and the shadow tables.
      await app.db.pool.query(`CREATE TABLE occupancy_days__rebuild (LIKE occupancy_days INCLUDING ALL)`);
      await app.db.pool.query(`UPDATE projection_controls SET status = 'rebuilding' WHERE projection = 'occupancy'`);
      const resumed = await admin('POST', `${PROJECTION}/resume`);
      expect({ status: resumed.status, projection: resumed.body.status, leftovers: await leftovers() }).toEqual({ status: 200, projection: 'running', leftovers: [] });

      // The same status with the lease held (a rebuild alive, here this session): resume changes nothing.
      const live = await app.db.pool.connect();
      try {
        await live.query(`SELECT pg_advisory_lock($1::int, -1)`, [leaseKey('occupancy')]);
        await app.db.pool.query(`UPDATE projection_controls SET status = 'rebuilding' WHERE projection = 'occupancy'`);
        expect((await admin('POST', `${PROJECTION}/resume`)).body.status).toBe('rebuilding');
        await sleep(1_500); // the workers' check too
        expect((await report()).status).toBe('rebuilding');
      } finally {
        await app.db.pool.query(`UPDATE projection_controls SET status = 'running' WHERE projection = 'occupancy'`);
        await live.query(`SELECT pg_advisory_unlock_all()`);
        live.release();
      }
      await caughtUp();
    });

    it('starts the rebuild it answers 202 for while a clean-up of an interrupted one holds the lease, and says when it could not', async () => {
      await caughtUp();
      const before = await tableOid();
      // A clean-up of a dead rebuild's leftovers (a resume, a worker's check) holding the lease a moment, as its DROP would.
      const cleanUp = await app.db.pool.connect();
      try {
        await cleanUp.query(`BEGIN`);
        await cleanUp.query(`SELECT pg_advisory_xact_lock_shared($1::int, -1)`, [leaseKey('occupancy')]);
        const asked = admin('POST', `${PROJECTION}/rebuild`);
        await sleep(500);
        await cleanUp.query(`COMMIT`);
        expect(await asked).toEqual({ status: 202, body: { name: 'occupancy', rebuilding: true } });
        await rebuilt(before);

        // One that holds it past the rebuild's wait (its DROP behind a reader): 409, and nothing started.
        await cleanUp.query(`BEGIN`);
        await cleanUp.query(`SELECT pg_advisory_xact_lock_shared($1::int, -1)`, [leaseKey('occupancy')]);
        const refused = await admin('POST', `${PROJECTION}/rebuild`);
        expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'REBUILD_NOT_STARTED' });
      } finally {
        await cleanUp.query(`ROLLBACK`).catch(() => undefined);
        cleanUp.release();
      }
      expect(await rebuildLockHeld()).toBe(false);
      await caughtUp();
    });
  });
});
