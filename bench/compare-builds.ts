import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.js';
import { CpuMeter, cpuSince } from './harness/cpu-meter.js';
import { DatabaseCpuTracker } from './harness/database-cpu.js';
import { median, summarize, type Summary } from './harness/sample.js';
import type { BuildAppAnswer, BuildAppQuestion } from './http/build-app-process.js';
import { runLoad } from './http/load.js';
import type { LoadPlan } from './http/load-plan.js';
import { reservationBody } from './http/routes.js';
import { openBenchDatabase, type BenchDatabase } from './server.js';

/**
 * HTTP create + confirm, CPU per request, of several builds in the same period:
 * `BUILDS=before=/path/to/old/dist,after=dist node dist/bench/compare-builds.js`; an entry may
 * name node options after its directory (`young=dist --max-semi-space-size=32`), to compare a
 * build with itself under other settings.
 *
 * One full bench run cannot tell a build's change from the machine's: the same build's CPU per
 * request swings by a quarter between runs here. So the builds take turns, A B then B A, for
 * `ROUNDS` rounds, each phase in a fresh database (migrated by that build's own migrations)
 * and a fresh process running that build's `bench/http/app.js`; the load generator is this
 * build's (the same requests for all). Each phase warms up for `WARMUP_MS`, then measures
 * `PHASE_MS`: requests, latencies, the app process's CPU (all its threads) and the
 * PostgreSQL server's (embedded, or `BENCH_DATABASE_URL` on this machine with its pid
 * unknown: then no server CPU). Reports every phase and each build's median and mean.
 *
 * The spread between phases of one build comes mostly from how many commands share a commit,
 * which follows the disk's fsync time and the load's own pace. `RATE=<requests/s>` sends at a
 * fixed rate (below what the slowest build serves), and `SYNCHRONOUS_COMMIT=off` sets that on
 * each phase's database: for comparing the builds' CPU per request, not their latency.
 *
 * Taking turns still leaves the machine's own swings: here a slow spell lasts minutes, and a
 * build's phases spread by a third. `SIDE_BY_SIDE=1` runs every build at once, each its own
 * app, database and load generator at `RATE` (so give half the rate a build alone would get),
 * so a slow spell slows them all alike; a build's PostgreSQL CPU is then that of the backends
 * serving its own database, without the server's shared processes. Side by side without
 * `RATE` favours the cheaper build: it takes more of the shared CPU, serves more requests and
 * groups more commands per commit, while the other groups fewer (2026-12-06: −34% side by
 * side closed-loop, −22% for the same builds in turns; bench/README.md).
 */

interface Build {
  readonly name: string;
  readonly dist: string;
  /** Node options the build's app process runs with (V8's heap sizes, say). */
  readonly nodeOptions: readonly string[];
}

/** One measured phase of a build: a request is an event of its sample. */
interface Phase {
  readonly build: string;
  readonly summary: Summary;
}

const number = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const ROUNDS = number('ROUNDS', 6);
const PHASE_MS = number('PHASE_MS', 8_000);
const WARMUP_MS = number('WARMUP_MS', 3_000);
const CONNECTIONS = number('CONNECTIONS', 16);
const RATE = process.env.RATE === undefined ? undefined : number('RATE', 1);
const SYNCHRONOUS_COMMIT = process.env.SYNCHRONOUS_COMMIT;
const SIDE_BY_SIDE = process.env.SIDE_BY_SIDE === '1';
if (SYNCHRONOUS_COMMIT !== undefined && !/^(on|off|local|remote_write|remote_apply)$/.test(SYNCHRONOUS_COMMIT)) {
  throw new Error('SYNCHRONOUS_COMMIT must be one of on, off, local, remote_write, remote_apply');
}

/** The phase's database commits as `SYNCHRONOUS_COMMIT` says (for the sessions the app opens after). */
const setSynchronousCommit = async (databaseUrl: string, setting: string): Promise<void> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = ${setting}', current_database()); END $$`);
  } finally {
    await client.end();
  }
};

/** `<name>=<dist directory>[ <node option>…]`, comma-separated. */
const builds = (): Build[] => {
  const text = process.env.BUILDS;
  if (!text) throw new Error('BUILDS=<name>=<dist directory>[ <node option>…],… is required');
  return text.split(',').map((entry) => {
    const equals = entry.indexOf('=');
    const [dist, ...nodeOptions] = entry.slice(equals + 1).trim().split(/\s+/);
    const name = entry.slice(0, equals).trim();
    if (equals < 1 || !dist) throw new Error(`BUILDS entry "${entry}" is not <name>=<dist directory>[ <node option>…]`);
    const app = resolve(dist, 'bench/http/app.js');
    if (!existsSync(app)) throw new Error(`${name}: no ${app} (build that checkout first)`);
    return { name, dist: resolve(dist), nodeOptions };
  });
};

/** A build's app in its own process, asked one question at a time. */
class BuildApp {
  private constructor(private readonly child: ChildProcess) {}

  static spawn(build: Build): BuildApp {
    const entry = fileURLToPath(new URL('./http/build-app-process.js', import.meta.url));
    return new BuildApp(fork(entry, [build.dist], { cwd: resolve(build.dist, '..'), execArgv: [...build.nodeOptions] }));
  }

  ask<K extends BuildAppQuestion['kind']>(
    question: Extract<BuildAppQuestion, { kind: K }>,
  ): Promise<Extract<BuildAppAnswer, { kind: K }>> {
    return new Promise((resolveAnswer, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the build's app exited with ${code}`));
      this.child.once('exit', onExit);
      this.child.once('message', (answer: BuildAppAnswer) => {
        this.child.off('exit', onExit);
        if (answer.kind !== question.kind) reject(new Error(`asked ${question.kind}, answered ${answer.kind}`));
        else resolveAnswer(answer as Extract<BuildAppAnswer, { kind: K }>);
      });
      this.child.send(question);
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** A build's app in its own process on a fresh database of its own, ready for load. */
interface RunningBuild {
  readonly build: Build;
  readonly app: BuildApp;
  readonly suffix: string;
  readonly database: string;
  readonly plan: (durationMs: number) => LoadPlan;
}

const startBuild = async (bench: BenchDatabase, build: Build, index: number): Promise<RunningBuild> => {
  const suffix = `build_${index}`;
  const databaseUrl = await bench.createDatabase(suffix, { migrate: false });
  if (SYNCHRONOUS_COMMIT !== undefined) await setSynchronousCommit(databaseUrl, SYNCHRONOUS_COMMIT);
  const app = BuildApp.spawn(build);
  try {
    const started = await app.ask({ kind: 'start', databaseUrl });
    const plan = (durationMs: number): LoadPlan => ({
      ...started,
      body: reservationBody(),
      route: 'command',
      connections: CONNECTIONS,
      durationMs,
      rate: RATE,
    });
    return { build, app, suffix, database: new URL(databaseUrl).pathname.slice(1), plan };
  } catch (error) {
    app.kill();
    await bench.dropDatabase(suffix);
    throw error;
  }
};

const stopBuild = async (bench: BenchDatabase, running: RunningBuild): Promise<void> => {
  running.app.kill();
  await bench.dropDatabase(running.suffix);
};

const nodeCpuOf = async (running: RunningBuild): Promise<number> => (await running.app.ask({ kind: 'cpu' })).us;

/** One build alone on the machine: the server's CPU is the whole server's (the postmaster's). */
const runPhase = async (bench: BenchDatabase, meter: CpuMeter, build: Build, index: number): Promise<Phase> => {
  const running = await startBuild(bench, build, index);
  try {
    await runLoad(running.plan(WARMUP_MS));
    await running.app.ask({ kind: 'quiesce' });
    const nodeBefore = await nodeCpuOf(running);
    const serverBefore = meter.read();
    const work = await runLoad(running.plan(PHASE_MS));
    await running.app.ask({ kind: 'quiesce' });
    const serverUs = cpuSince(serverBefore, meter.read()).serverUs;
    const nodeUs = (await nodeCpuOf(running)) - nodeBefore;
    await running.app.ask({ kind: 'close' });
    return { build: build.name, summary: summarize({ ...work, cpu: { nodeUs, serverUs } }) };
  } finally {
    await stopBuild(bench, running);
  }
};

/**
 * Every build at once, each under its own load: a slow spell of the machine slows them all
 * alike. A build's server CPU is that of the processes serving its database.
 */
const runSideBySide = async (bench: BenchDatabase, monitor: pg.Pool, all: readonly Build[], first: number): Promise<Phase[]> => {
  const running: RunningBuild[] = [];
  const trackers: DatabaseCpuTracker[] = [];
  try {
    for (const [offset, build] of all.entries()) running.push(await startBuild(bench, build, first + offset));
    await Promise.all(running.map((r) => runLoad(r.plan(WARMUP_MS))));
    await Promise.all(running.map((r) => r.app.ask({ kind: 'quiesce' })));
    trackers.push(...running.map((r) => new DatabaseCpuTracker(monitor, r.database)));
    await Promise.all(trackers.map((tracker) => tracker.start()));
    const nodeBefore = await Promise.all(running.map(nodeCpuOf));
    const work = await Promise.all(running.map((r) => runLoad(r.plan(PHASE_MS))));
    await Promise.all(running.map((r) => r.app.ask({ kind: 'quiesce' })));
    const nodeAfter = await Promise.all(running.map(nodeCpuOf));
    const phases: Phase[] = [];
    for (const [i, r] of running.entries()) {
      const cpu = { nodeUs: nodeAfter[i] - nodeBefore[i], serverUs: await trackers[i].stop() };
      phases.push({ build: r.build.name, summary: summarize({ ...work[i], cpu }) });
    }
    await Promise.all(running.map((r) => r.app.ask({ kind: 'close' })));
    return phases;
  } finally {
    for (const tracker of trackers) tracker.cancel();
    for (const r of running) await stopBuild(bench, r);
  }
};

const print = (line: string): void => void process.stdout.write(`${line}\n`);
const us = (value: number | null): string => (value === null ? '—' : Math.round(value).toLocaleString('en-US'));
const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/** CPU µs per request of a phase: node, PostgreSQL (null when unreadable), and their sum. */
const perRequest = ({ summary }: Phase) => ({
  node: summary.nodeCpuUsPerEvent,
  server: summary.serverCpuUsPerEvent,
  total: summary.nodeCpuUsPerEvent + (summary.serverCpuUsPerEvent ?? 0),
});

const report = (all: readonly Build[], phases: readonly Phase[]): void => {
  print('\nphase | build | requests/s | p50 / p99 ms | CPU µs per request (node + PostgreSQL)');
  print('---:|---|---:|---|---:');
  phases.forEach((phase, index) => {
    const { p50Ms, p99Ms, eventsPerS } = phase.summary;
    const cpu = perRequest(phase);
    print(
      `${index + 1} | ${phase.build} | ${Math.round(eventsPerS)} | ${p50Ms.toFixed(1)} / ${p99Ms.toFixed(1)} | ` +
        `${us(cpu.total)} (${us(cpu.node)} + ${us(cpu.server)})`,
    );
  });
  print('\nbuild | CPU µs per request: median (node + PostgreSQL) | mean | requests/s, median | vs the first build (median; mean)');
  print('---|---:|---:|---:|---:');
  const totals = (build: Build) => phases.filter((p) => p.build === build.name).map((p) => perRequest(p).total);
  const first = totals(all[0]);
  for (const build of all) {
    const mine = phases.filter((p) => p.build === build.name);
    const cpu = mine.map(perRequest);
    const server = cpu.every((c) => c.server !== null) ? median(cpu.map((c) => c.server ?? 0)) : null;
    const total = totals(build);
    const change = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(0)}%`;
    print(
      `${build.name} | ${us(median(total))} (${us(median(cpu.map((c) => c.node)))} + ${us(server)}) | ${us(mean(total))} | ` +
        `${Math.round(median(mine.map((p) => p.summary.eventsPerS)))} | ` +
        `${build === all[0] ? '' : `${change(median(total), median(first))}; ${change(mean(total), mean(first))}`}`,
    );
  }
};

/**
 * Each build against the first in the same round (side by side, at the same time; in turns, one
 * right after the other): a round's builds share the machine's state, where the medians mix
 * fast phases with slow ones.
 */
const reportPairs = (all: readonly Build[], phases: readonly Phase[]): void => {
  const rounds: Phase[][] = [];
  for (let i = 0; i < phases.length; i += all.length) rounds.push(phases.slice(i, i + all.length));
  const totalOf = (round: readonly Phase[], build: Build): number => perRequest(round.find((p) => p.build === build.name) as Phase).total;
  print(`\nbuild | CPU per request against ${all[0].name} in the same round, round by round | median`);
  print('---|---|---:');
  for (const build of all.slice(1)) {
    const changes = rounds.map((round) => (totalOf(round, build) / totalOf(round, all[0]) - 1) * 100);
    print(`${build.name} | ${changes.map((c) => `${c.toFixed(0)}%`).join(', ')} | ${median(changes).toFixed(0)}%`);
  }
};

const main = async (): Promise<void> => {
  const all = builds();
  const root = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench/compare-builds.js -> repository root
  const bench = await openBenchDatabase(loadConfig(), root);
  const meter = new CpuMeter(bench.serverPid);
  // A pool: each build's tracker reads on its own schedule, and one client must not be sent a query while it runs another.
  const monitor = SIDE_BY_SIDE ? new pg.Pool({ connectionString: bench.url, max: 4 }) : null;
  try {
    if (monitor && bench.serverPid === null) throw new Error('SIDE_BY_SIDE reads the backends\' CPU: it needs the embedded server');
    print(
      `${bench.serverDescription}, PostgreSQL ${bench.postgresVersion}; builds ` +
        `${all.map((b) => `${b.name} (${[b.dist, ...b.nodeOptions].join(' ')})`).join(', ')}; ` +
        `${ROUNDS} rounds (${SIDE_BY_SIDE ? 'side by side, each its own load' : 'A B, B A, …'}) of ${PHASE_MS} ms after ${WARMUP_MS} ms, ` +
        `${CONNECTIONS} connections, create then confirm` +
        `${RATE === undefined ? '' : ` at ${RATE} requests/s`}` +
        `${SYNCHRONOUS_COMMIT === undefined ? '' : `, synchronous_commit ${SYNCHRONOUS_COMMIT}`}`,
    );
    if (SIDE_BY_SIDE && RATE === undefined) {
      print('  (no RATE: each build serves what its share of the CPU allows, so the cheaper one groups more commands per commit and looks cheaper still)');
    }
    const phases: Phase[] = [];
    const measured = (phase: Phase): void => {
      phases.push(phase);
      print(`  ${phases.length}: ${phase.build} ${us(perRequest(phase).total)} µs per request`);
    };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? all : [...all].reverse();
      if (monitor) (await runSideBySide(bench, monitor, order, phases.length)).forEach(measured);
      else for (const build of order) measured(await runPhase(bench, meter, build, phases.length));
    }
    report(all, phases);
    reportPairs(all, phases);
  } finally {
    await monitor?.end();
    await bench.close();
  }
};

await main();
