import { availableParallelism, cpus } from 'node:os';
import type { BenchConfig } from '../config.js';
import type { BenchDatabase } from '../server.js';

/** What a run ran on, written beside its results. */
export interface RunInfo {
  readonly date: string;
  readonly postgres_version: string;
  readonly postgres_server: string;
  readonly node_version: string;
  readonly cores: number;
  readonly cpu: string;
  readonly platform: string;
  readonly scale: number;
  readonly writers: number;
  readonly duration_s: number;
  /** The workloads run: all, or the BENCH_ONLY selection. */
  readonly selection: string;
}

export const runInfo = (config: BenchConfig, database: BenchDatabase, durationMs: number): RunInfo => ({
  date: new Date().toISOString(),
  postgres_version: database.postgresVersion,
  postgres_server: database.serverDescription,
  node_version: process.version,
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  platform: `${process.platform}-${process.arch}`,
  scale: config.scale,
  writers: config.writers,
  duration_s: Number((durationMs / 1000).toFixed(1)),
  selection: config.only?.join(',') ?? 'all',
});
