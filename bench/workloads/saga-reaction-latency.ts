import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { reservationDepositSaga } from '../../src/contexts/reservations/application/sagas/reservation-deposit.saga.js';
import { reservations } from '../../src/contexts/reservations/reservation.aggregate.js';
import { payments } from '../../src/contexts/payments/public-api.js';
import { AggregateCatalog } from '../../src/event-sourcing/aggregates/aggregate-catalog.js';
import { AggregateRepository } from '../../src/event-sourcing/aggregates/aggregate-repository.js';
import { InlineProjections } from '../../src/event-sourcing/aggregates/inline-projections.js';
import { registerAggregate } from '../../src/event-sourcing/aggregates/register-aggregate.js';
import { SnapshotStore } from '../../src/event-sourcing/aggregates/snapshot-store.js';
import { SagaRuntime } from '../../src/event-sourcing/sagas/saga-runtime.js';
import { sagaSteppedType } from '../../src/event-sourcing/sagas/saga-stream.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { BENCH_MASTER_KEY } from '../fixtures.js';
import { PersonalData } from '../../src/event-sourcing/personal-data/personal-data.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { CommitNotifier } from '../../src/event-sourcing/subscriptions/commit-notifier.js';
import { PostgresSubscriptionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import type { ExtraDatabase } from '../databases.js';
import { cpuSince, type CpuMeter } from '../harness/cpu-meter.js';
import { settle } from '../harness/interleave.js';
import { summarize, type Sample } from '../harness/sample.js';
import { progress } from '../progress.js';
import { createRawTable } from '../targets/raw-schema.js';
import type { Workload } from './workload.js';

const DATABASE = 'sagas';
/** The app's default DB_POOL_SIZE: one pool for appends, the worker and the saga runtime, as in an `all` process. */
const POOL_SIZE = 10;
/** As the app registers the saga (DEPOSIT_DEADLINE_SECONDS' default): never due during the run. */
const DEADLINE_SECONDS = 900;
const SAGA = reservationDepositSaga(DEADLINE_SECONDS);
const TENANT = 'bench-practice-sagas';
const ACTOR = { type: 'human', id: 'bench-user' } as const;
/**
 * Each append waits a random 0–PAUSE_MAX_MS first. Appended back to back, every reaction would
 * reach the outbox just after the command sender's last round and wait its whole idle poll (100
 * ms); a random pause spread over two polls lands appends at random phases, as real traffic does.
 */
const PAUSE_MAX_MS = 200;
const REACTION_TIMEOUT_MS = 10_000;

/** Per reaction, from PostgreSQL's clocks: ms from the trigger's `recorded_at`. */
interface Timings {
  readonly id: string;
  /** payment.requested's recorded_at: the reaction, end to end. */
  readonly requestedMs: number;
  /** The outbox row's created_at (clock_timestamp() in the saga step): the worker woke, read and stepped. */
  readonly outboxMs: number;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
};

const ms = (value: number): string => value.toFixed(1);

/** The app's pieces for one deposit saga, assembled without Nest as `EventSourcingModule` and the worker host do. */
const startSagaApp = async (database: ExtraDatabase, onRequested: (reservationId: string) => void) => {
  const pool = new pg.Pool({ connectionString: database.url, max: POOL_SIZE });
  pool.on('error', (error) => progress(`saga app connection failed: ${error.message}`));
  const registry = new EventRegistry().register(sagaSteppedType);
  const inlineProjections = new InlineProjections();
  const catalog = new AggregateCatalog();
  for (const aggregate of [reservations, payments]) {
    registerAggregate(aggregate, { registry, inlineProjections, catalog });
  }
  const notifier = new CommitNotifier(pool, progress);
  const personalData = PersonalData.onPostgres(pool, registry, BENCH_MASTER_KEY);
  const store = new PostgresEventStore(pool, registry, () => notifier.notify(), { personalData });
  const repository = AggregateRepository.onPostgres(pool, store, new SnapshotStore(pool, registry, personalData), {
    inlineProjections,
    onCommitted: (events) => {
      notifier.notify();
      // Where the app publishes to its EventBus: here only to see the reaction arrive, in process.
      for (const event of events) if (event.type === 'payment.requested') onRequested(event.aggregateId);
    },
  });
  const runtime = new SagaRuntime(store, pool, repository, catalog, [SAGA], { log: progress });
  const reader = new PostgresSubscriptionLog(pool, registry, personalData);
  const worker = new SubscriptionWorker(pool, reader, runtime.subscriptions(), { log: progress });
  await worker.start();
  runtime.start();
  return {
    store,
    async stop() {
      await runtime.stop();
      await worker.stop();
      await pool.end();
    },
  };
};

const createdEvent = (reservationId: string, n: number) => ({
  type: 'reservation.created',
  data: {
    reservationId,
    guestId: `guest-${n}`,
    guestName: 'Bench Guest',
    checkInDate: '2030-01-01',
    nights: 1 + (n % 7),
    createdAt: new Date().toISOString(),
    deposit: { amount: 5000, currency: 'EUR' },
  },
  metadata: { actor: ACTOR, correlationId: randomUUID() },
});

/** Each reaction's timings from the rows themselves; fails on a reservation without its payment. */
const readTimings = async (pool: pg.Pool, ids: readonly string[]): Promise<Timings[]> => {
  const { rows } = await pool.query<Timings>(
    `SELECT c.aggregate_id AS id,
            extract(epoch FROM p.recorded_at - c.recorded_at)::float8 * 1000 AS "requestedMs",
            extract(epoch FROM o.created_at - c.recorded_at)::float8 * 1000 AS "outboxMs"
     FROM events c
     JOIN events p ON p.tenant_id = c.tenant_id AND p.aggregate_type = 'payment' AND p.aggregate_id = c.aggregate_id
                  AND p.type = 'payment.requested'
     JOIN saga_commands o ON o.tenant_id = c.tenant_id AND o.instance_key = c.aggregate_id AND o.type = 'RequestPayment'
     WHERE c.tenant_id = $1 AND c.aggregate_type = 'reservation' AND c.type = 'reservation.created'
       AND c.aggregate_id = ANY($2::text[])`,
    [TENANT, ids],
  );
  if (rows.length !== ids.length) {
    throw new Error(`saga_reaction_latency: ${rows.length} payments requested for ${ids.length} reservations`);
  }
  return rows;
};

/**
 * The store side: `reactions` deposit reservations appended one at a time through the store
 * (with the NOTIFY the app sends), each awaited until its payment.requested commits.
 */
const sagaPhase = async (database: ExtraDatabase, cpu: CpuMeter, reactions: number) => {
  const waiting = new Map<string, (at: number) => void>();
  const app = await startSagaApp(database, (id) => waiting.get(id)?.(performance.now()));
  const ids: string[] = [];
  const inProcessMs: number[] = [];
  try {
    settle();
    const before = cpu.read();
    for (let n = 0; n < reactions; n++) {
      await sleep(Math.random() * PAUSE_MAX_MS);
      const id = `r-${randomUUID()}`;
      const requested = new Promise<number>((resolve) => waiting.set(id, resolve));
      const timeout = sleep(REACTION_TIMEOUT_MS, 'timeout' as const, { ref: false });
      const stream = reservations.streamOf(TENANT, id);
      await app.store.append(stream, [createdEvent(id, n)], { expectedVersion: 'no_stream' });
      const appendedAt = performance.now();
      const at = await Promise.race([requested, timeout]);
      waiting.delete(id);
      if (at === 'timeout') {
        throw new Error(`saga_reaction_latency: no payment.requested ${REACTION_TIMEOUT_MS} ms after ${id}`);
      }
      inProcessMs.push(at - appendedAt);
      ids.push(id);
    }
    const used = cpuSince(before, cpu.read());
    return { ids, inProcessMs, cpu: used };
  } finally {
    await app.stop();
  }
};

/**
 * The reference: the least a reaction can take, an append (a plain INSERT) then, as soon as it
 * returns, a second append from the same client; recorded_at's difference, as for the saga.
 */
const rawPhase = async (pool: pg.Pool, cpu: CpuMeter, count: number): Promise<Sample> => {
  const insert = {
    name: 'bench_saga_raw_insert',
    // Microseconds as text: a Date would drop them.
    text: `INSERT INTO raw_events (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
             data, metadata, occurred_at) VALUES ($1, $2, $3, $4, 1, $5, 1, $6, $7, now())
           RETURNING (extract(epoch FROM recorded_at) * 1000000)::bigint::text AS micros`,
  };
  const latenciesMs: number[] = [];
  settle();
  const before = cpu.read();
  for (let n = 0; n < count; n++) {
    const id = `r-${randomUUID()}`;
    const { type, data, metadata } = createdEvent(id, n);
    const append = async (eventType: string, aggregateType: string): Promise<number> => {
      const json = [JSON.stringify(data), JSON.stringify(metadata)];
      const values = [randomUUID(), TENANT, aggregateType, id, eventType, ...json];
      return Number((await pool.query<{ micros: string }>({ ...insert, values })).rows[0].micros);
    };
    const first = await append(type, 'reservation');
    const second = await append('payment.requested', 'payment');
    latenciesMs.push((second - first) / 1000);
  }
  const cpuUsed = cpuSince(before, cpu.read());
  const total = latenciesMs.reduce((sum, value) => sum + value, 0);
  return { events: count, ops: count, elapsedMs: total, latenciesMs, cpu: cpuUsed };
};

/**
 * The deposit saga's reaction on an idle system: from a `reservation.created` with a deposit
 * committing to the `payment.requested` the saga's command stores, timed by PostgreSQL's own
 * `recorded_at`s. There is no raw baseline of the same work; the raw column is a floor.
 */
export const sagaReactionLatency: Workload = {
  name: 'saga_reaction_latency',
  async run({ config, cpu, databases }) {
    const database = await databases.open(DATABASE);
    try {
      await createRawTable(database.pool);
      const reactions = config.sagaReactions;
      const raw = await rawPhase(database.pool, cpu, reactions);
      const { ids, inProcessMs, cpu: storeCpu } = await sagaPhase(database, cpu, reactions);
      const timings = await readTimings(database.pool, ids);
      const requestedMs = timings.map((t) => t.requestedMs);
      const outboxMs = timings.map((t) => t.outboxMs);
      const senderMs = timings.map((t) => t.requestedMs - t.outboxMs);
      const store: Sample = {
        events: timings.length,
        ops: timings.length,
        elapsedMs: requestedMs.reduce((sum, value) => sum + value, 0),
        latenciesMs: requestedMs,
        cpu: storeCpu,
      };
      const stage = (values: readonly number[]) =>
        `p50 ${ms(percentile(values, 0.5))} / p99 ${ms(percentile(values, 0.99))} ms`;
      const round = (value: number): number => Number(value.toFixed(3));
      return {
        name: this.name,
        unit: 'reaction',
        store: summarize(store),
        raw: summarize(raw),
        extra: {
          pause_max_ms: PAUSE_MAX_MS,
          mean_ms: round(store.elapsedMs / timings.length),
          outbox_p50_ms: round(percentile(outboxMs, 0.5)),
          outbox_p99_ms: round(percentile(outboxMs, 0.99)),
          sender_p50_ms: round(percentile(senderMs, 0.5)),
          sender_p99_ms: round(percentile(senderMs, 0.99)),
          sender_max_ms: round(Math.max(...senderMs)),
          in_process_p50_ms: round(percentile(inProcessMs, 0.5)),
          in_process_p99_ms: round(percentile(inProcessMs, 0.99)),
          raw_is_baseline: false,
        },
        notes: [
          `saga_reaction_latency: ${timings.length} reservation.created events with a deposit, appended one at a ` +
            `time through the store (its NOTIFY as in the app) after a random 0–${PAUSE_MAX_MS} ms pause, with the ` +
            `reservation-deposit saga running (SagaRuntime + SubscriptionWorker, the app's default options, one ` +
            `pool of ${POOL_SIZE}); latency = payment.requested's recorded_at − reservation.created's (PostgreSQL's ` +
            `clock, when each row was written): ${stage(requestedMs)}; of it, to the outbox row (worker woken ` +
            `by NOTIFY, read, saga step) ${stage(outboxMs)}, then to the payment (commit, the command sender's ` +
            `poll, the command) ${stage(senderMs)}; seen in process (append returned → payment's onCommitted) ` +
            `${stage(inProcessMs)}. No raw baseline does the same work: raw = a floor, a plain INSERT then a ` +
            `second one as soon as it returns (recorded_at difference), and /s = 1 / mean latency, so the ratio ` +
            `is not a target; CPU includes the pauses' idle polling`,
        ],
      };
    } finally {
      await databases.drop(DATABASE);
    }
  },
};
