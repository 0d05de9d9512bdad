import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { NewEvent, StreamId } from '../src/event-sourcing/store/event-envelope.js';
import { PostgresEventStore } from '../src/event-sourcing/store/postgres-event-store.js';
import { loadConfig } from './config.js';
import { benchRegistry, BENCH_TENANT, ORDER_PAYLOAD, type EventSource } from './fixtures.js';
import { processCpuUs } from './harness/cpu-meter.js';
import { openBenchDatabase, type BenchDatabase } from './server.js';
import { PlainSqlTarget } from './targets/plain-sql-target.js';
import { MINIMAL_TABLE } from './targets/plain-tables.js';
import { createBaselineTables } from './targets/raw-schema.js';

/**
 * What each guarantee of an append costs PostgreSQL, per event: `node dist/bench/append-costs.js`
 * (after a build; the server as for `npm run bench`: embedded, or `BENCH_DATABASE_URL` on this
 * machine, since backends' CPU is read from /proc).
 *
 * Each variant appends order events (the `*_order` workloads' payload) on one connection in a
 * database of its own: the store's `append` on `events` as migrated, the same with secondary
 * indexes dropped, and the minimal table's INSERT. The variants take turns, A B C … then … C B A,
 * so a machine's drift falls on all of them alike; each turn reads its backend's CPU time and the
 * WAL it wrote (turns run one at a time, so the WAL between two readings is that turn's).
 * `BATCHES` (default `1,10`) are the events per append, `ROUNDS` the size; `LONG_STREAMS=1` below.
 * `WRITERS=8` appends from that many connections at once, each to streams of its own (as the
 * bench's append workloads do), and sums their backends' CPU: what the variants cost under the
 * workloads' concurrency, not one connection's.
 */

interface Variant {
  readonly name: string;
  /** Run on the variant's database after migrating: the indexes it takes away from `events`. */
  readonly drop: readonly string[];
  /** Other statements it runs there (constraints and triggers it takes away). */
  readonly alter?: readonly string[];
  readonly minimal?: true;
}

/** `events`' two CHECKs (PostgreSQL parses and plans each from its catalog text for every statement) and triggers. */
const WITHOUT_CHECKS_AND_TRIGGERS = [
  'ALTER TABLE events DROP CONSTRAINT events_version_check, DROP CONSTRAINT events_schema_version_check',
  'DROP TRIGGER events_append_only ON events',
  'DROP TRIGGER events_no_truncate ON events',
];

const VARIANTS: readonly Variant[] = [
  { name: 'events as migrated', drop: [] },
  { name: 'without the correlation index', drop: ['events_correlation_idx'] },
  { name: 'without type + tenant', drop: ['events_type_tenant_idx'] },
  { name: 'without the gap-free order index', drop: ['events_global_order_idx'] },
  { name: 'without all three', drop: ['events_correlation_idx', 'events_type_tenant_idx', 'events_global_order_idx'] },
  { name: 'without the CHECKs and triggers', drop: [], alter: WITHOUT_CHECKS_AND_TRIGGERS },
  { name: 'minimal table', drop: [], minimal: true },
];

const numbers = (name: string, fallback: string): number[] => (process.env[name] ?? fallback).split(',').map(Number);
const [ROUNDS] = numbers('ROUNDS', '10');
const [WRITERS] = numbers('WRITERS', '1');
const BATCHES = numbers('BATCHES', '1,10');
const EVENTS_PER_TURN = 2_000;
const STREAMS = 20;
/**
 * `LONG_STREAMS=1`: the streams go on from round to round (~100 events more each round) instead
 * of 20 new ones each round, for what an append costs on a long stream.
 */
const LONG_STREAMS = process.env.LONG_STREAMS === '1';

type Append = (stream: StreamId, events: readonly NewEvent[], expectedVersion: number) => Promise<unknown>;

/** One connection appending: its backend is the one whose CPU is read. */
interface Writer {
  readonly pool: pg.Pool;
  readonly backend: number;
  readonly append: Append;
  readonly next: EventSource;
}

interface Side {
  readonly variant: Variant;
  readonly writers: readonly Writer[];
  /** Each stream's version, kept across rounds with `LONG_STREAMS`. */
  readonly versions: Map<string, number>;
  cpuUs: number;
  walBytes: number;
  events: number;
}

const writerOn = async (url: string, variant: Variant, batch: number, index: number): Promise<Writer> => {
  const pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 0 });
  const backend = Number((await pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  let append: Append;
  if (variant.minimal) {
    const minimal = new PlainSqlTarget(pool, MINIMAL_TABLE);
    append = (stream, events, version) => minimal.appendExact(stream, events, version);
  } else {
    const store = new PostgresEventStore(pool, benchRegistry());
    append = (stream, events, expectedVersion) => store.append(stream, events, { expectedVersion });
  }
  // Every variant appends the same orders: writer n of each the same ones.
  return { pool, backend, append, next: ORDER_PAYLOAD.source(`append-costs-${batch}-${index}`) };
};

const open = async (bench: BenchDatabase, variant: Variant, index: number, batch: number): Promise<Side> => {
  const url = await bench.createDatabase(`costs_${batch}_${index}`);
  const setUp = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await createBaselineTables(setUp);
    for (const index of variant.drop) await setUp.query(`DROP INDEX ${index}`);
    for (const statement of variant.alter ?? []) await setUp.query(statement);
  } finally {
    await setUp.end();
  }
  const writers: Writer[] = [];
  for (let n = 0; n < WRITERS; n++) writers.push(await writerOn(url, variant, batch, n));
  return { variant, writers, versions: new Map(), cpuUs: 0, walBytes: 0, events: 0 };
};

const walPosition = async (pool: pg.Pool): Promise<string> => (await pool.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
const walSince = async (pool: pg.Pool, lsn: string): Promise<number> =>
  Number((await pool.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS bytes', [lsn])).rows[0].bytes);

const cpuOf = (side: Side): number => {
  let total = 0;
  for (const { backend } of side.writers) {
    const us = processCpuUs(backend);
    if (us === null) throw new Error(`cannot read backend ${backend}'s CPU time: the server must run on this machine`);
    total += us;
  }
  return total;
};

/**
 * One turn: each writer appends its share to 20 streams of its own (the round's, or the run's
 * with `LONG_STREAMS`), in turn, all writers at once; counted unless it is the warm-up round.
 */
const turn = async (side: Side, round: number, batch: number): Promise<void> => {
  const versions = LONG_STREAMS ? side.versions : new Map<string, number>();
  const appends = Math.max(1, Math.round(EVENTS_PER_TURN / batch / WRITERS));
  const { pool } = side.writers[0];
  const lsn = await walPosition(pool);
  const cpu = cpuOf(side);
  const write = async (writer: Writer, n: number): Promise<void> => {
    for (let i = 0; i < appends; i++) {
      const aggregateId = LONG_STREAMS ? `stream-${n}-${i % STREAMS}` : `round-${round}-${n}-${i % STREAMS}`;
      const version = versions.get(aggregateId) ?? 0;
      await writer.append({ tenantId: BENCH_TENANT, aggregateType: 'order', aggregateId }, writer.next(batch), version);
      versions.set(aggregateId, version + batch);
    }
  };
  await Promise.all(side.writers.map(write));
  const cpuUs = cpuOf(side) - cpu;
  const walBytes = await walSince(pool, lsn);
  if (round === 0) return;
  side.cpuUs += cpuUs;
  side.walBytes += walBytes;
  side.events += appends * batch * WRITERS;
};

const measure = async (bench: BenchDatabase, batch: number): Promise<Side[]> => {
  const sides: Side[] = [];
  try {
    for (const [index, variant] of VARIANTS.entries()) sides.push(await open(bench, variant, index, batch));
    for (let round = 0; round <= ROUNDS; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) await turn(side, round, batch);
    }
    return sides;
  } finally {
    for (const side of sides) for (const { pool } of side.writers) await pool.end();
  }
};

const print = (line: string): void => void process.stdout.write(`${line}\n`);

const main = async (): Promise<void> => {
  const root = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench/append-costs.js -> repository root
  const bench = await openBenchDatabase(loadConfig(), root);
  try {
    const streams = LONG_STREAMS ? `${STREAMS} streams growing all run` : `${STREAMS} new streams a round`;
    print(`${bench.serverDescription}, PostgreSQL ${bench.postgresVersion}; ${ROUNDS} rounds of ${EVENTS_PER_TURN} events per variant, ${streams}, ${WRITERS} writer(s)`);
    for (const batch of BATCHES) {
      const sides = await measure(bench, batch);
      const base = sides[0];
      print(`\n${batch} event(s) per append | PostgreSQL CPU µs/event | vs as migrated | WAL bytes/event`);
      print('---|---:|---:|---:');
      for (const side of sides) {
        const cpu = side.cpuUs / side.events;
        const delta = cpu - base.cpuUs / base.events;
        const shown = side === base ? '' : `${delta > 0 ? '+' : ''}${delta.toFixed(1)}`;
        print(`${side.variant.name} | ${cpu.toFixed(1)} | ${shown} | ${Math.round(side.walBytes / side.events)}`);
      }
    }
  } finally {
    await bench.close();
  }
};

await main();
