import type { CpuReading } from './cpu-meter.js';

/** What one target did in one phase: work done, wall time, and per-operation latencies. */
export interface Work {
  readonly events: number;
  readonly ops: number;
  readonly elapsedMs: number;
  readonly latenciesMs: readonly number[];
}

/** Work plus the CPU it used, in node and (when readable) in the PostgreSQL server. */
export interface Sample extends Work {
  readonly cpu: CpuReading;
}

export interface Summary {
  readonly events: number;
  readonly ops: number;
  readonly elapsedMs: number;
  readonly eventsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly nodeCpuUsPerEvent: number;
  readonly serverCpuUsPerEvent: number | null;
}

export const EMPTY_SAMPLE: Sample = {
  events: 0,
  ops: 0,
  elapsedMs: 0,
  latenciesMs: [],
  cpu: { nodeUs: 0, serverUs: 0 },
};

export const mergeSamples = (a: Sample, b: Sample): Sample => ({
  events: a.events + b.events,
  ops: a.ops + b.ops,
  elapsedMs: a.elapsedMs + b.elapsedMs,
  latenciesMs: [...a.latenciesMs, ...b.latenciesMs],
  cpu: {
    nodeUs: a.cpu.nodeUs + b.cpu.nodeUs,
    serverUs: a.cpu.serverUs === null || b.cpu.serverUs === null ? null : a.cpu.serverUs + b.cpu.serverUs,
  },
});

/** The middle value; for an even count, the mean of the two middle ones. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[Math.floor(middle)];
};

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];

export const summarize = (sample: Sample): Summary => {
  const sorted = Float64Array.from(sample.latenciesMs).sort();
  const perEvent = (us: number): number => (sample.events > 0 ? us / sample.events : Number.NaN);
  return {
    events: sample.events,
    ops: sample.ops,
    elapsedMs: sample.elapsedMs,
    eventsPerS: sample.elapsedMs > 0 ? (sample.events * 1000) / sample.elapsedMs : 0,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    nodeCpuUsPerEvent: perEvent(sample.cpu.nodeUs),
    serverCpuUsPerEvent: sample.cpu.serverUs === null ? null : perEvent(sample.cpu.serverUs),
  };
};
