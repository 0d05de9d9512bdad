import { setTimeout as sleep } from 'node:timers/promises';
import { leaseKey } from '../../src/event-sourcing/subscriptions/lease-key.js';
import type { ProjectionReport } from '../../src/event-sourcing/projections/projection-status.js';
import { SubscriptionWorkerHost as ProjectionWorkerHost } from '../../src/event-sourcing/nest/subscription-worker.host.js';
import { describeOnFreshMachine } from '../support/app-process.js';
import { runCli, type CliRun } from '../support/processes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The operators' CLI as they run it: the compiled `dist/src/cli/cli.js` in a process of its
 * own, on the database of a running app (whose in-process worker keeps occupancy).
 * `npm test` builds dist first; when running this file alone, `npx tsc -p tsconfig.build.json`.
 */

const OWNER = 'cleo';
const DAY_MS = 86_400_000;
const day = (n: number): string => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);

describeOnFreshMachine('CLI: projections commands', () => {
  let app: TestApp;
  let practice: string;
  let workerId: string;

  /** Runs the CLI on the app's database. */
  const cli = (args: readonly string[]) => runCli(app.db.url, args);

  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const { 'content-type': contentType, ...auth } = headers;
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: body === undefined ? auth : { ...auth, 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by the assertions
    return { status: response.status, body: (await response.json()) as any };
  };
  const report = async (): Promise<ProjectionReport> => (await call('GET', '/v1/admin/projections/occupancy', app.as('ops', 'system'))).body;
  /** Running, no lag, and every partition at the newest event (one report's queries may each see another moment). */
  const caughtUp = async (): Promise<ProjectionReport> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await app.db.pool.query<{ transaction_id: string; position: string }>(
        `SELECT e.transaction_id::text AS transaction_id, e.position FROM events e ORDER BY e.transaction_id DESC, e.position DESC LIMIT 1`,
      );
      const r = await report();
      const atHead = r.partitions.every((p) => p.position === Number(rows[0].position) && p.transactionId === rows[0].transaction_id);
      if (r.status === 'running' && !r.paused && r.lagEvents === 0 && atHead) return r;
      if (Date.now() > deadline) throw new Error(`occupancy did not catch up: ${JSON.stringify(r)}`);
      await sleep(25);
    }
  };
  const occupancy = async () =>
    (await call('GET', `/v1/practices/${practice}/occupancy?from=${day(0)}&to=${day(20)}`, app.as(OWNER))).body.days as { date: string; reserved: number }[];
  const tableOid = async (): Promise<number> =>
    (await app.db.pool.query<{ oid: number }>(`SELECT 'occupancy_days'::regclass::oid::int AS oid`)).rows[0].oid;
  const reservationEvents = async (): Promise<number> =>
    (await app.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE aggregate_type = 'reservation'`)).rows[0].n;

  const expectUsage = (run: CliRun) => {
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('usage: npm run cli -- <command>');
    for (const command of ['projections:list', 'projections:rebuild <name>', 'projections:replay <name> [--from N]', 'projections:pause <name>']) {
      expect(run.stderr).toContain(command);
    }
    expect(run.stdout).toBe('');
  };

  beforeAll(async () => {
    app = await startTestApp({ OPERATOR_USER_IDS: 'ops' });
    workerId = app.app.get(ProjectionWorkerHost).current?.workerId ?? 'no worker';
    const headers = app.as(OWNER);
    practice = (await call('POST', '/v1/practices', headers, { name: 'Cliff House' })).body.practiceId;
    const ids: string[] = [];
    for (const [offset, nights] of [
      [2, 3],
      [3, 2],
      [10, 1],
    ]) {
      const reply = await call('POST', `/v1/practices/${practice}/reservations`, headers, { guestId: 'g', guestName: 'Alan Turing', checkInDate: day(offset), nights });
      expect(reply.status).toBe(201);
      ids.push(reply.body.reservationId);
    }
    expect((await call('POST', `/v1/practices/${practice}/reservations/${ids[0]}/confirm`, headers)).status).toBe(200);
    expect((await call('POST', `/v1/practices/${practice}/reservations/${ids[1]}/change`, headers, { checkInDate: day(5), nights: 2 })).status).toBe(200);
    expect((await call('POST', `/v1/practices/${practice}/reservations/${ids[2]}/cancel`, headers, { reason: 'storm' })).status).toBe(200);
    await caughtUp();
  });
  afterAll(() => app.close());

  it('projections:list prints occupancy with its status, lag, dead letters and each partition\'s checkpoint and owner', async () => {
    const caught = await caughtUp();

    const run = await cli(['projections:list']);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^occupancy {2}running {2}lag 0 events \/ 0\.0 s {2}dead letters 0$/m);
    for (const p of caught.partitions) {
      expect(run.stdout).toContain(`  #${p.partition} at ${p.position} (${p.eventsApplied} applied) owner ${workerId}\n`);
    }
  });

  it('projections:rebuild prints its progress and "rebuilt", swaps in a new table, and the counts stay the same', async () => {
    const before = await occupancy();
    expect(before.some((d) => d.reserved > 0)).toBe(true);
    const oid = await tableOid();
    const events = await reservationEvents();
    const { rows } = await app.db.pool.query<{ position: string }>(`SELECT max(position) AS position FROM events`);

    const run = await cli(['projections:rebuild', 'occupancy']);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`swapped: ${events} events applied, at position ${rows[0].position}\nrebuilt occupancy; lag now 0 events\n`);
    expect(await tableOid()).not.toBe(oid);
    await caughtUp();
    expect(await occupancy()).toEqual(before);
  });

  it('projections:pause, :replay and :resume work the kill switch and the checkpoints', async () => {
    // The newest event is a cancellation: applying it again changes no count.
    const last = await app.db.pool.query<{ position: string; transaction_id: string; type: string }>(
      `SELECT position, transaction_id::text AS transaction_id, type FROM events ORDER BY position DESC LIMIT 1`,
    );
    expect(last.rows[0].type).toBe('reservation.cancelled');
    const from = Number(last.rows[0].position);
    const before = await occupancy();
    const { partitions } = await caughtUp();
    const applied = partitions.reduce((sum, p) => sum + p.eventsApplied, 0);

    expect(await cli(['projections:pause', 'occupancy'])).toEqual({ code: 0, stdout: 'occupancy paused\n', stderr: '' });
    expect((await report()).paused).toBe(true);
    expect((await cli(['projections:list'])).stdout).toMatch(/^occupancy {2}paused {2}lag 0 events/m);

    const replay = await cli(['projections:replay', 'occupancy', '--from', String(from)]);
    expect(replay).toEqual({ code: 0, stdout: `replaying occupancy from position ${from}\n`, stderr: '' });
    const replayed = await report();
    expect(replayed.partitions.map((p) => ({ position: p.position, transactionId: p.transactionId }))).toEqual(
      Array.from({ length: 4 }, () => ({ position: from - 1, transactionId: last.rows[0].transaction_id })),
    );
    expect(replayed.lagEvents).toBe(1);

    expect(await cli(['projections:resume', 'occupancy'])).toEqual({ code: 0, stdout: 'occupancy resumed\n', stderr: '' });
    const after = await caughtUp();
    expect(after.partitions.reduce((sum, p) => sum + p.eventsApplied, 0)).toBe(applied + 1);
    expect(await occupancy()).toEqual(before);
  });

  it('exits 1 with the usage text for an unknown command, and for a command without its projection name', async () => {
    const [unknown, noName] = await Promise.all([cli(['projections:explode', 'occupancy']), cli(['projections:rebuild'])]);

    expectUsage(unknown);
    expectUsage(noName);
  });

  it('exits 1 naming an unknown projection, and a rebuild already under way', async () => {
    const lock = await app.db.pool.connect();
    try {
      await lock.query(`SELECT pg_advisory_lock($1::int, -1)`, [leaseKey('occupancy')]);
      const [unknown, busy] = await Promise.all([cli(['projections:rebuild', 'no-such-projection']), cli(['projections:rebuild', 'occupancy'])]);

      expect({ code: unknown.code, stderr: unknown.stderr.trim() }).toEqual({ code: 1, stderr: 'No projection named no-such-projection' });
      expect({ code: busy.code, stderr: busy.stderr.trim(), stdout: busy.stdout }).toEqual({ code: 1, stderr: 'occupancy is being rebuilt already', stdout: '' });
    } finally {
      await lock.query(`SELECT pg_advisory_unlock($1::int, -1)`, [leaseKey('occupancy')]).catch(() => undefined);
      lock.release();
    }
    expect((await report()).status).toBe('running');
  });
});
