import type { Summary } from '../harness/sample.js';
import type { WorkloadResult } from '../workloads/workload.js';

/** Node plus server CPU per event, in µs; null when the server's CPU could not be read. */
export const cpuPerEvent = (summary: Summary): number | null =>
  summary.serverCpuUsPerEvent === null ? null : summary.nodeCpuUsPerEvent + summary.serverCpuUsPerEvent;

/**
 * raw CPU / store CPU per event: the throughput ratio the costs predict when the machine's
 * cores are the bottleneck, and far steadier than wall-clock rates on a busy machine.
 */
export const cpuCostRatio = (result: WorkloadResult): number | null => {
  const store = cpuPerEvent(result.store);
  const raw = cpuPerEvent(result.raw);
  return store === null || raw === null ? null : raw / store;
};

const us = (value: number | null): string => (value === null ? '?' : value.toFixed(1));

export const cpuLine = (result: WorkloadResult): string => {
  const ratio = cpuCostRatio(result);
  return (
    `${result.name}: CPU per ${result.unit ?? 'event'} store ${us(cpuPerEvent(result.store))} µs ` +
    `(node ${us(result.store.nodeCpuUsPerEvent)} + postgres ${us(result.store.serverCpuUsPerEvent)}), ` +
    `raw ${us(cpuPerEvent(result.raw))} µs (node ${us(result.raw.nodeCpuUsPerEvent)} + postgres ` +
    `${us(result.raw.serverCpuUsPerEvent)}); cost ratio raw/store ${ratio === null ? '?' : ratio.toFixed(2)}`
  );
};
