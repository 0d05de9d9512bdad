import type { Pool } from 'pg';
import type { BenchConfig } from '../config.js';
import type { ExtraDatabases } from '../databases.js';
import type { CpuMeter } from '../harness/cpu-meter.js';
import type { TargetPair } from '../harness/interleave.js';
import type { Summary } from '../harness/sample.js';

export interface WorkloadContext {
  readonly config: BenchConfig;
  readonly targets: TargetPair;
  /** For seeding and checks only; never on a measured path. */
  readonly pool: Pool;
  readonly cpu: CpuMeter;
  /** Further databases on the same server, for workloads that need one of their own. */
  readonly databases: ExtraDatabases;
}

/** What a workload's rates count: events (the default), or HTTP requests. */
export type RateUnit = 'event' | 'request';

export interface WorkloadResult {
  readonly name: string;
  /** `store` is the system under test, `raw` its baseline from the same run (see each workload). */
  readonly store: Summary;
  readonly raw: Summary;
  /** Defaults to 'event'; a Summary's `events` then counts requests. */
  readonly unit?: RateUnit;
  /** Workload-specific figures, written to the JSON file as they are. */
  readonly extra: Readonly<Record<string, number | string | boolean>>;
  /** Lines printed under the table. */
  readonly notes: readonly string[];
}

export interface Workload {
  readonly name: string;
  run(context: WorkloadContext): Promise<WorkloadResult>;
}
