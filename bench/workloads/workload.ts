import type { Pool } from 'pg';
import type { BenchConfig } from '../config.js';
import type { ExtraDatabases } from '../databases.js';
import type { CpuMeter } from '../harness/cpu-meter.js';
import type { Summary } from '../harness/sample.js';
import type { BenchTargets } from '../targets/bench-targets.js';

export interface WorkloadContext {
  readonly config: BenchConfig;
  /** The event store, the mirror-table baseline (`raw`) and the minimal-table baseline, on `pool`'s database. */
  readonly targets: BenchTargets;
  /** For seeding and checks only; never on a measured path. */
  readonly pool: Pool;
  readonly cpu: CpuMeter;
  /** Further databases on the same server, for workloads that need one of their own. */
  readonly databases: ExtraDatabases;
}

/** What a workload's rates count: events (the default), HTTP requests, or saga reactions. */
export type RateUnit = 'event' | 'request' | 'reaction';

export interface WorkloadResult {
  readonly name: string;
  /** `store` is the system under test, `raw` its baseline from the same run (see each workload). */
  readonly store: Summary;
  readonly raw: Summary;
  /** The minimal event table's baseline, for the event-store workloads. */
  readonly minimal?: Summary;
  /** Defaults to 'event'; a Summary's `events` then counts requests. */
  readonly unit?: RateUnit;
  /** Workload-specific figures, written to the JSON file as they are. */
  readonly extra: Readonly<Record<string, number | string | boolean>>;
  /** Lines printed under the table. */
  readonly notes: readonly string[];
}

export interface Workload {
  readonly name: string;
  /** Why this run cannot run the workload (a service it needs is not configured), or undefined when it can. */
  skip?(config: BenchConfig): string | undefined;
  run(context: WorkloadContext): Promise<WorkloadResult>;
}
