import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.js';
import { CpuMeter, cpuSince } from './harness/cpu-meter.js';
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

const runPhase = async (bench: BenchDatabase, meter: CpuMeter, build: Build, index: number): Promise<Phase> => {
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
    await runLoad(plan(WARMUP_MS));
    await app.ask({ kind: 'quiesce' });
    const nodeBefore = (await app.ask({ kind: 'cpu' })).us;
    const serverBefore = meter.read();
    const work = await runLoad(plan(PHASE_MS));
    await app.ask({ kind: 'quiesce' });
    const serverUs = cpuSince(serverBefore, meter.read()).serverUs;
    const nodeUs = (await app.ask({ kind: 'cpu' })).us - nodeBefore;
    await app.ask({ kind: 'close' });
    return { build: build.name, summary: summarize({ ...work, cpu: { nodeUs, serverUs } }) };
  } finally {
    app.kill();
    await bench.dropDatabase(suffix);
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

const main = async (): Promise<void> => {
  const all = builds();
  const root = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench/compare-builds.js -> repository root
  const bench = await openBenchDatabase(loadConfig(), root);
  const meter = new CpuMeter(bench.serverPid);
  try {
    print(
      `${bench.serverDescription}, PostgreSQL ${bench.postgresVersion}; builds ` +
        `${all.map((b) => `${b.name} (${[b.dist, ...b.nodeOptions].join(' ')})`).join(', ')}; ` +
        `${ROUNDS} rounds (A B, B A, …) of ${PHASE_MS} ms after ${WARMUP_MS} ms, ${CONNECTIONS} connections, create then confirm` +
        `${RATE === undefined ? '' : ` at ${RATE} requests/s`}` +
        `${SYNCHRONOUS_COMMIT === undefined ? '' : `, synchronous_commit ${SYNCHRONOUS_COMMIT}`}`,
    );
    const phases: Phase[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const build of round % 2 === 0 ? all : [...all].reverse()) {
        const phase = await runPhase(bench, meter, build, phases.length);
        phases.push(phase);
        print(`  ${phases.length}: ${build.name} ${us(perRequest(phase).total)} µs per request`);
      }
    }
    report(all, phases);
  } finally {
    await bench.close();
  }
};

await main();
