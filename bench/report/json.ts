import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Summary } from '../harness/sample.js';
import type { RateUnit, WorkloadResult } from '../workloads/workload.js';
import { cpuCostRatio, cpuPerEvent } from './cpu.js';
import type { RunInfo } from './run-info.js';
import { targetP99Ms, targetRatio, targetRatioMinimal } from './targets.js';

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const roundOrNull = (value: number | null, digits: number): number | null =>
  value === null ? null : round(value, digits);

/** One side's figures, each key prefixed with the side (`raw_`, `minimal_`; none for the store). */
const sideJson = (prefix: string, unit: RateUnit, summary: Summary): Record<string, number | null> => ({
  [`${prefix}${unit}s_per_s`]: round(summary.eventsPerS, 1),
  [`${prefix}p50_ms`]: round(summary.p50Ms, 3),
  [`${prefix}p99_ms`]: round(summary.p99Ms, 3),
  [`${prefix}${unit}s`]: summary.events,
  [`${prefix}ops`]: summary.ops,
  [`${prefix}cpu_us_per_${unit}`]: roundOrNull(cpuPerEvent(summary), 2),
  [`${prefix}node_cpu_us_per_${unit}`]: round(summary.nodeCpuUsPerEvent, 2),
  [`${prefix}server_cpu_us_per_${unit}`]: roundOrNull(summary.serverCpuUsPerEvent, 2),
});

/** The store against the minimal table: ratio, target and CPU cost ratio; nothing for other workloads. */
const minimalJson = (result: WorkloadResult, unit: RateUnit): Record<string, number | boolean | null> => {
  if (result.minimal === undefined) return {};
  const ratio = result.store.eventsPerS / result.minimal.eventsPerS;
  const target = targetRatioMinimal(result.name);
  return {
    ratio_minimal: round(ratio, 3),
    target_ratio_minimal: target ?? null,
    target_met_minimal: target === undefined ? null : ratio >= target,
    cpu_cost_ratio_minimal: roundOrNull(cpuCostRatio(result.store, result.minimal), 3),
    ...sideJson('minimal_', unit, result.minimal),
  };
};

const workloadJson = (result: WorkloadResult): Record<string, number | string | boolean | null> => {
  const ratio = result.store.eventsPerS / result.raw.eventsPerS;
  const target = targetRatio(result.name);
  const ceiling = targetP99Ms(result.name);
  const unit = result.unit ?? 'event';
  // A workload has one target, a ratio or (with no baseline of the same work) a p99 ceiling.
  const met = ceiling !== undefined ? result.store.p99Ms <= ceiling : target === undefined ? null : ratio >= target;
  return {
    /** Against the raw baseline: for the event-store workloads the table mirroring `events`. */
    ratio: round(ratio, 3),
    target_ratio: target ?? null,
    ...(ceiling !== undefined && { target_p99_ms: ceiling }),
    target_met: met,
    cpu_cost_ratio: roundOrNull(cpuCostRatio(result.store, result.raw), 3),
    ...minimalJson(result, unit),
    ...sideJson('', unit, result.store),
    ...sideJson('raw_', unit, result.raw),
    ...result.extra,
  };
};

export const writeResults = async (path: string, run: RunInfo, results: readonly WorkloadResult[]): Promise<void> => {
  const workloads = Object.fromEntries(results.map((result) => [result.name, workloadJson(result)]));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify({ run, workloads }, null, 2)}\n`);
};
