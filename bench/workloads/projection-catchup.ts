import type { Pool } from 'pg';
import { occupancyProjection } from '../../src/contexts/reservations/infrastructure/occupancy.projection.js';
import type { AsyncProjection } from '../../src/event-sourcing/projections/async-projection.js';
import type { BenchConfig } from '../config.js';
import type { ExtraDatabase } from '../databases.js';
import { cpuSince, type CpuMeter } from '../harness/cpu-meter.js';
import { settle } from '../harness/interleave.js';
import { mergeSamples, summarize, type Sample, type Work } from '../harness/sample.js';
import { catchUp } from '../projections/catch-up.js';
import { benchMapProjection, benchMapProjectionOnePartition, createMapTable } from '../projections/map-projection.js';
import { scanEvents } from '../projections/raw-scan.js';
import { PRACTICES, seedReservationLog } from '../projections/reservation-log.js';
import type { Workload } from './workload.js';

/** The database every catch-up workload shares: its log holds reservation events only. */
const LOG_DATABASE = 'reservations';

interface CatchUpPlan {
  readonly name: string;
  readonly projection: AsyncProjection;
  readonly events: (config: BenchConfig) => number;
  /** Creates the projection's tables when no migration does. */
  readonly prepare?: (pool: Pool) => Promise<void>;
  /** A variant caught up after the measured run, for the notes (what a cause costs); not in the ratio. */
  readonly variant?: { readonly key: string; readonly label: string; readonly projection: AsyncProjection };
}

/** Runs `task` after collecting garbage, with the CPU it used attached to its work. */
const measured = async <T>(cpu: CpuMeter, task: () => Promise<T>, workOf: (result: T) => Work): Promise<[Sample, T]> => {
  settle();
  const before = cpu.read();
  const result = await task();
  return [{ ...workOf(result), cpu: cpuSince(before, cpu.read()) }, result];
};

const mb = (value: number): number => Math.round(value * 10) / 10;
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/**
 * Partition-time not spent reading or applying. A partition reads its next page while it applies
 * a batch, so reading and applying can add up to more than the time itself: that is said as an
 * overlap, never as a negative duration.
 */
const restOfSteps = (partitionMs: number, readMs: number, applyMs: number, rest: string): string => {
  const restMs = partitionMs - readMs - applyMs;
  return restMs >= 0 ? `${seconds(restMs)} s in the rest of the steps (${rest})` : `reads ahead overlapping the applies by ${seconds(-restMs)} s`;
};

/**
 * A projection worker catching up from checkpoint 0 over the seeded log (store), between two
 * plain-SELECT scans of the same log (raw: a warm-up scan first, then raw, store, raw).
 */
const projectionCatchUp = (plan: CatchUpPlan): Workload => ({
  name: plan.name,
  async run({ config, cpu, databases }) {
    const database = await databases.open(LOG_DATABASE);
    const total = await seedReservationLog(database, plan.events(config), config.writers);
    await plan.prepare?.(database.pool);
    const scan = () => scanEvents(database.pool, config.projectionBatch, total);
    const asIs = (work: Work): Work => work;
    await scan(); // warm-up
    const [rawBefore] = await measured(cpu, scan, asIs);
    const [store, { reads, applies, rss, partitions }] = await measured(
      cpu,
      () => catchUp(database, plan.projection, config.projectionBatch),
      (result) => result.work,
    );
    const [rawAfter] = await measured(cpu, scan, asIs);
    const rawSummary = summarize(mergeSamples(rawBefore, rawAfter));
    const readsPerEvent = reads.rows / store.events;
    const partitionMs = partitions * store.elapsedMs;
    const variant = plan.variant ? await variantRun(plan.variant, database, config.projectionBatch, rawSummary.eventsPerS) : undefined;
    return {
      name: plan.name,
      store: summarize(store),
      raw: rawSummary,
      extra: {
        log_events: total,
        handled_events: store.events,
        catch_up_s: Number(seconds(store.elapsedMs)),
        partitions,
        batch_size: config.projectionBatch,
        rows_read: reads.rows,
        rows_read_per_event: Number(readsPerEvent.toFixed(2)),
        read_calls: reads.calls,
        read_ms_total: Math.round(reads.totalMs),
        apply_calls: applies.calls,
        apply_ms_total: Math.round(applies.totalMs),
        rss_start_mb: mb(rss.startMb),
        peak_rss_mb: mb(rss.peakMb),
        peak_rss_growth_mb: mb(rss.peakMb - rss.startMb),
        ...variant?.extra,
      },
      notes: [
        `${plan.name}: ${store.events} events (${PRACTICES} practices) caught up from checkpoint 0 in ` +
          `${seconds(store.elapsedMs)} s by one worker (${partitions} partitions, batches of ${config.projectionBatch}); ` +
          `the partitions share each read of the log (types and partitions filtered in PostgreSQL, one page ahead ` +
          `while a batch is applied): ${reads.rows} events handed out (${readsPerEvent.toFixed(1)} per event) in ${reads.calls} partition reads; of ${seconds(partitionMs)} s partition-time (${partitions} × wall), ` +
          `${seconds(reads.totalMs)} s reading, ${seconds(applies.totalMs)} s in apply (${applies.calls} batches), ` +
          `${restOfSteps(partitionMs, reads.totalMs, applies.totalMs, 'control and checkpoint reads, BEGIN, checkpoint UPDATE, COMMIT, and waiting for a connection, a read ahead or the event loop; reads ahead overlap the rest')}; ` +
          `raw = plain SELECT pages of ${config.projectionBatch}; ` +
          `p50/p99: store = one batch's apply, raw = one page; process RSS ${mb(rss.startMb)} MB before, ` +
          `peak ${mb(rss.peakMb)} MB (+${mb(rss.peakMb - rss.startMb)} MB)`,
        ...(variant ? [variant.note] : []),
      ],
    };
  },
});

/** Catches `variant` up too (unmeasured for the table): its rate, and its ratio to the same raw rate. */
const variantRun = async (
  variant: NonNullable<CatchUpPlan['variant']>,
  database: ExtraDatabase,
  batchSize: number,
  rawPerS: number,
): Promise<{ extra: Record<string, number>; note: string }> => {
  settle();
  const { work, reads, applies, partitions } = await catchUp(database, variant.projection, batchSize);
  const perS = (work.events * 1000) / work.elapsedMs;
  return {
    extra: {
      [`${variant.key}_events_per_s`]: Math.round(perS),
      [`${variant.key}_ratio`]: Number((perS / rawPerS).toFixed(3)),
      [`${variant.key}_read_ms_total`]: Math.round(reads.totalMs),
      [`${variant.key}_apply_ms_total`]: Math.round(applies.totalMs),
    },
    note:
      `  ${variant.label}: ${Math.round(perS).toLocaleString('en-US')} events/s ` +
      `(${seconds(work.elapsedMs)} s), ratio ${(perS / rawPerS).toFixed(2)} to the same raw rate; ` +
      `${reads.calls} steps: ${seconds(reads.totalMs)} s reading, ${seconds(applies.totalMs)} s in apply, ` +
      restOfSteps(partitions * work.elapsedMs, reads.totalMs, applies.totalMs, 'control and checkpoint reads, BEGIN, checkpoint UPDATE, COMMIT'),
  };
};

const events200k = (config: BenchConfig): number => config.projectionEvents;
const events1m = (config: BenchConfig): number => Math.max(50_000, Math.round(1_000_000 * config.scale));

export const occupancyCatchUp = projectionCatchUp({ name: 'projection_catchup_occupancy_200k', projection: occupancyProjection, events: events200k });
export const mapCatchUp = projectionCatchUp({
  name: 'projection_catchup_map_200k',
  projection: benchMapProjection,
  events: events200k,
  prepare: createMapTable,
  variant: {
    key: 'one_partition',
    label: 'the same map projection with partitions: 1',
    projection: benchMapProjectionOnePartition,
  },
});
/** Opt-in (BENCH_MILLION=1): the same over 1,000,000 events, mainly to show memory stays flat. */
export const occupancyCatchUp1m = projectionCatchUp({ name: 'projection_catchup_occupancy_1m', projection: occupancyProjection, events: events1m });
export const mapCatchUp1m = projectionCatchUp({
  name: 'projection_catchup_map_1m',
  projection: benchMapProjection,
  events: events1m,
  prepare: createMapTable,
});
