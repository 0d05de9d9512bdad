import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WorkloadResult } from '../workloads/workload.js';
import { cpuCostRatio, cpuPerEvent } from './cpu.js';
import type { RunInfo } from './run-info.js';
import { targetP99Ms, targetRatio } from './targets.js';

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const roundOrNull = (value: number | null, digits: number): number | null =>
  value === null ? null : round(value, digits);

const workloadJson = (result: WorkloadResult): Record<string, number | string | boolean | null> => {
  const ratio = result.store.eventsPerS / result.raw.eventsPerS;
  const target = targetRatio(result.name);
  const ceiling = targetP99Ms(result.name);
  const unit = result.unit ?? 'event';
  // A workload has one target, a ratio or (with no baseline of the same work) a p99 ceiling.
  const met = ceiling !== undefined ? result.store.p99Ms <= ceiling : target === undefined ? null : ratio >= target;
  return {
    [`${unit}s_per_s`]: round(result.store.eventsPerS, 1),
    [`raw_${unit}s_per_s`]: round(result.raw.eventsPerS, 1),
    ratio: round(ratio, 3),
    target_ratio: target ?? null,
    ...(ceiling !== undefined && { target_p99_ms: ceiling }),
    target_met: met,
    p50_ms: round(result.store.p50Ms, 3),
    p99_ms: round(result.store.p99Ms, 3),
    raw_p50_ms: round(result.raw.p50Ms, 3),
    raw_p99_ms: round(result.raw.p99Ms, 3),
    [`${unit}s`]: result.store.events,
    [`raw_${unit}s`]: result.raw.events,
    ops: result.store.ops,
    raw_ops: result.raw.ops,
    [`cpu_us_per_${unit}`]: roundOrNull(cpuPerEvent(result.store), 2),
    [`node_cpu_us_per_${unit}`]: round(result.store.nodeCpuUsPerEvent, 2),
    [`server_cpu_us_per_${unit}`]: roundOrNull(result.store.serverCpuUsPerEvent, 2),
    [`raw_cpu_us_per_${unit}`]: roundOrNull(cpuPerEvent(result.raw), 2),
    [`raw_node_cpu_us_per_${unit}`]: round(result.raw.nodeCpuUsPerEvent, 2),
    [`raw_server_cpu_us_per_${unit}`]: roundOrNull(result.raw.serverCpuUsPerEvent, 2),
    cpu_cost_ratio: roundOrNull(cpuCostRatio(result), 3),
    ...result.extra,
  };
};

export const writeResults = async (path: string, run: RunInfo, results: readonly WorkloadResult[]): Promise<void> => {
  const workloads = Object.fromEntries(results.map((result) => [result.name, workloadJson(result)]));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify({ run, workloads }, null, 2)}\n`);
};
