import type { Pool } from 'pg';
import type { BenchConfig } from '../config.js';
import type { CpuMeter } from '../harness/cpu-meter.js';
import type { TargetPair } from '../harness/interleave.js';
import type { Summary } from '../harness/sample.js';

export interface WorkloadContext {
  readonly config: BenchConfig;
  readonly targets: TargetPair;
  /** For seeding and checks only; never on a measured path. */
  readonly pool: Pool;
  readonly cpu: CpuMeter;
}

export interface WorkloadResult {
  readonly name: string;
  readonly store: Summary;
  readonly raw: Summary;
  /** Workload-specific figures, written to the JSON file as they are. */
  readonly extra: Readonly<Record<string, number | string | boolean>>;
  /** Lines printed under the table. */
  readonly notes: readonly string[];
}

export interface Workload {
  readonly name: string;
  run(context: WorkloadContext): Promise<WorkloadResult>;
}
