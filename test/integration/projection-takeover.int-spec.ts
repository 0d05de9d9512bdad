import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_PARTITIONS } from '../../src/event-sourcing/subscriptions/subscription.js';
import { CommitNotifier } from '../../src/event-sourcing/subscriptions/commit-notifier.js';
import { partitionOf } from '../../src/event-sourcing/subscriptions/partition.js';
import type { RecordedEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { compareLogCursors } from '../../src/event-sourcing/store/log-cursor.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import {
  appliedCounts,
  counterStream,
  createProjectionTables,
  eventLog,
  eventLogName,
  expectedEventLog,
  expectedStreamCounts,
  streamCounts,
  streamCountsName,
  testRegistry,
  ticked,
  tickedCount,
} from '../support/projection-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Projection workers as real processes (test/support/projection-worker.process.js on the
 * compiled core), killed with SIGKILL: inside the apply transaction, right after its commit,
 * and in the middle of a run shared by three of them. Each time the read model must end up
 * equal to the fold of all events: nothing lost, nothing applied twice.
 */

const ENTRY = 'test/support/projection-worker.process.js';

const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !['DATABASE_URL', 'NODE_OPTIONS'].includes(key)));

interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  workerId?: string;
  /** The slots it said it owned last, and when. */
  owned: string[];
  ownedAt: number;
  crash?: { at: string; details: Record<string, unknown> };
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Checkpoint {
  readonly partition: number;
  readonly transactionId: string;
  readonly position: number;
}

describe('projection worker processes killed with SIGKILL', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const children: WorkerProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(12);
    const notifier = new CommitNotifier(db.pool);
    store = new PostgresEventStore(db.pool, testRegistry(), () => notifier.notify());
  });
  const stopAll = async () => {
    for (const worker of children.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
      await worker.exited;
    }
    // Crashed workers leave their heartbeat rows: they must not count as live in the next test.
    await db.pool.query('DELETE FROM projection_workers');
  };
  afterEach(stopAll);
  afterAll(async () => {
    await stopAll();
    await db.drop();
  });

  const launch = (name: string, env: Record<string, unknown>): WorkerProcess => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { ...BASE_ENV, DATABASE_URL: db.url, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, JSON.stringify(v)])) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: WorkerProcess = {
      name,
      child,
      owned: [],
      ownedAt: 0,
      output: [],
      exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    };
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, first, ...rest] = line.split(' ');
        if (kind === 'owned') {
          worker.owned = JSON.parse(first) as string[];
          worker.ownedAt = performance.now();
        } else {
          worker.output.push(line);
          if (kind === 'ready') worker.workerId = first;
          if (kind === 'crash') worker.crash = { at: first, details: JSON.parse(rest.join(' ')) as Record<string, unknown> };
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => worker.output.push(chunk.toString().trimEnd()));
    children.push(worker);
    return worker;
  };

  const transcript = () => children.map((w) => `--- ${w.name} (${w.workerId ?? '?'}):\n${w.output.join('\n')}`).join('\n');

  const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${transcript()}`);
      await sleep(50);
    }
  };

  const streamsOf = (tenant: string, count: number): StreamId[] => Array.from({ length: count }, (_, i) => counterStream(tenant, `c-${i}`));

  const appendRandom = async (streams: readonly StreamId[], total: number, writers = 4, pauseMs = 0): Promise<RecordedEvent[]> => {
    const appended: RecordedEvent[] = [];
    let left = total;
    const writer = async () => {
      while (left > 0) {
        const size = Math.min(left, 1 + Math.floor(Math.random() * 3));
        left -= size;
        const stream = streams[Math.floor(Math.random() * streams.length)];
        appended.push(...(await store.append(stream, Array.from({ length: size }, (_, i) => ticked(`random ${i}`)))).events);
        if (pauseMs > 0) await sleep(pauseMs);
      }
    };
    await Promise.all(Array.from({ length: writers }, writer));
    return appended;
  };

  const caughtUp = async (suffix: string): Promise<boolean> => {
    const expected = await tickedCount(db.pool);
    const applied = await appliedCounts(db.pool);
    return applied[eventLogName(suffix)] === expected && applied[streamCountsName(suffix)] === expected;
  };

  /** The read models equal the fold of every event in the store, each event applied once. */
  const expectExactlyOnce = async (suffix: string): Promise<void> => {
    const expectedLog = await expectedEventLog(db.pool);
    expect(await eventLog(db.pool, suffix)).toEqual(expectedLog);
    expect(await streamCounts(db.pool, suffix)).toEqual(await expectedStreamCounts(db.pool));
    const applied = await appliedCounts(db.pool);
    expect(applied[eventLogName(suffix)]).toBe(expectedLog.length);
    expect(applied[streamCountsName(suffix)]).toBe(expectedLog.length);
    const { rows: letters } = await db.pool.query(`SELECT projection, error FROM projection_dead_letters WHERE projection LIKE $1`, [`%${suffix}`]);
    expect(letters).toEqual([]);
    const { rows: controls } = await db.pool.query(`SELECT DISTINCT status FROM projection_controls WHERE projection LIKE $1`, [`%${suffix}`]);
    expect(controls).toEqual([{ status: 'running' }]);
  };

  const checkpointOf = async (projection: string, partition: number): Promise<Checkpoint> =>
    (
      await db.pool.query<Checkpoint>(
        `SELECT partition, transaction_id::text AS "transactionId", position::float8 AS position
         FROM projection_checkpoints WHERE projection = $1 AND partition = $2`,
        [projection, partition],
      )
    ).rows[0];

  const FAST_WORKER = { pollIntervalMs: 200, heartbeatMs: 250, batchSize: 20 };

  describe.each(['before-commit', 'after-commit'] as const)('a worker killed %s of the batch holding an event', (at) => {
    it('leaves no half-applied batch, and the next worker applies every event exactly once', async () => {
      const suffix = `_${at.replace('-', '_')}`;
      await createProjectionTables(db.pool, suffix);
      const tenant = `tenant-${randomUUID()}`;
      await appendRandom(streamsOf(tenant, 10), 150);
      const label = `crash here ${randomUUID()}`; // events of earlier tests are in the log too
      const target = ticked(label);
      const [stored] = (await store.append(counterStream(tenant, 'target'), [target])).events;
      await appendRandom(streamsOf(tenant, 10), 150);

      const crashing = launch(`crashing (${at})`, {
        FIXTURE_OPTIONS: { suffix },
        WORKER_OPTIONS: FAST_WORKER,
        CRASH: { at, label, projection: 'fold' },
      });
      expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(crashing.crash).toMatchObject({ at, details: { eventId: target.eventId } });

      const counts = streamCountsName(suffix);
      const partition = await partitionOf(db.pool, stored, DEFAULT_PARTITIONS);
      const checkpoint = await checkpointOf(counts, partition);
      const targetRow = (await streamCounts(db.pool, suffix)).find((row) => row.stream === `${tenant}/counter/target`);
      const passed = compareLogCursors(checkpoint, { transactionId: stored.transactionId, position: stored.position }) >= 0;
      if (at === 'before-commit') {
        // The batch's rows were written in the transaction and never committed: neither they nor the checkpoint moved.
        expect(crashing.crash!.details).toMatchObject({ rowsInside: 1, rowsOutside: 0 });
        expect(targetRow).toBeUndefined();
        expect(passed).toBe(false);
      } else {
        // Committed with its checkpoint, together.
        expect(targetRow).toMatchObject({ applied: 1, last_version: 1 });
        expect(passed).toBe(true);
      }

      launch('successor', { FIXTURE_OPTIONS: { suffix }, WORKER_OPTIONS: FAST_WORKER });
      await waitFor('the successor to catch up', () => caughtUp(suffix));
      await sleep(300);
      await expectExactlyOnce(suffix);
    });
  });

  it('hands a killed worker’s partitions to the other two within seconds; the read model equals the fold of all events', async () => {
    const suffix = '_takeover';
    await createProjectionTables(db.pool, suffix);
    const partitions = 6; // 12 slots: 4 for each of 3 workers
    const options = { FIXTURE_OPTIONS: { suffix, partitions }, WORKER_OPTIONS: {} }; // the defaults, as in production
    const slots = [eventLogName(suffix), streamCountsName(suffix)].flatMap((name) => Array.from({ length: partitions }, (_, p) => `${name}#${p}`)).sort();
    const workers = [launch('worker A', options), launch('worker B', options), launch('worker C', options)];
    await waitFor('the three workers to share the slots', () => {
      const owned = workers.flatMap((w) => w.owned);
      return workers.every((w) => w.owned.length === 4) && new Set(owned).size === slots.length;
    });

    const tenant = `tenant-${randomUUID()}`;
    const total = 3_000;
    const already = await tickedCount(db.pool); // earlier tests' events
    const appending = appendRandom(streamsOf(tenant, 60), total, 4, 3);
    const appendStart = performance.now();

    // Mid-run, one worker dies with SIGKILL.
    await waitFor('a third of the events', async () => (await tickedCount(db.pool)) - already >= total / 3);
    const [victim, ...survivors] = [workers[1], workers[0], workers[2]];
    const victimSlots = [...victim.owned];
    expect(victimSlots).toHaveLength(4);
    victim.child.kill('SIGKILL');
    const killedAt = performance.now();
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Its slots show up in the survivors' reports (fresh ones, printed after the kill).
    await waitFor('the survivors to take the victim’s slots over', () => {
      const fresh = survivors.every((w) => w.ownedAt > killedAt);
      const owned = new Set(survivors.flatMap((w) => w.owned));
      return fresh && victimSlots.every((slot) => owned.has(slot));
    }, 15_000);
    const takeoverMs = performance.now() - killedAt;

    const appended = await appending;
    const appendMs = performance.now() - appendStart;
    expect(appended).toHaveLength(total);
    await waitFor('the survivors to catch up', () => caughtUp(suffix), 30_000);
    const caughtUpMs = performance.now() - appendStart;
    await sleep(500);

    process.stdout.write(
      `takeover: ${total} events appended in ${(appendMs / 1000).toFixed(1)} s; worker killed after ${((killedAt - appendStart) / 1000).toFixed(1)} s; ` +
        `its ${victimSlots.length} slots owned by the survivors ${(takeoverMs / 1000).toFixed(2)} s later; ` +
        `read model caught up ${(caughtUpMs / 1000).toFixed(1)} s after the first append\n`,
    );
    expect(takeoverMs).toBeLessThan(10_000);

    // The survivors own every slot, each once.
    const owned = survivors.flatMap((w) => w.owned);
    expect(owned.sort()).toEqual(slots);
    await expectExactlyOnce(suffix);
    // Every partition's checkpoint now belongs to a survivor.
    const { rows } = await db.pool.query<{ owner: string }>(`SELECT DISTINCT owner FROM projection_checkpoints WHERE projection LIKE $1`, [`%${suffix}`]);
    expect(rows.map((r) => r.owner).every((owner) => survivors.some((w) => w.workerId === owner))).toBe(true);
  }, 60_000);
});
