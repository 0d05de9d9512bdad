import type { Summary } from '../harness/sample.js';
import type { WorkloadResult } from '../workloads/workload.js';

/** Node plus server CPU per event, in µs; null when the server's CPU could not be read. */
export const cpuPerEvent = (summary: Summary): number | null =>
  summary.serverCpuUsPerEvent === null ? null : summary.nodeCpuUsPerEvent + summary.serverCpuUsPerEvent;

/**
 * baseline CPU / store CPU per event: the throughput ratio the costs predict when the machine's
 * cores are the bottleneck, and far steadier than wall-clock rates on a busy machine.
 */
export const cpuCostRatio = (store: Summary, baseline: Summary): number | null => {
  const storeUs = cpuPerEvent(store);
  const baselineUs = cpuPerEvent(baseline);
  return storeUs === null || baselineUs === null ? null : baselineUs / storeUs;
};

const us = (value: number | null): string => (value === null ? '?' : value.toFixed(1));

const side = (name: string, summary: Summary): string =>
  `${name} ${us(cpuPerEvent(summary))} µs (node ${us(summary.nodeCpuUsPerEvent)} + postgres ` +
  `${us(summary.serverCpuUsPerEvent)})`;

const costRatio = (name: string, store: Summary, baseline: Summary): string => {
  const ratio = cpuCostRatio(store, baseline);
  return `cost ratio ${name}/store ${ratio === null ? '?' : ratio.toFixed(2)}`;
};

export const cpuLine = (result: WorkloadResult): string => {
  const { store, raw, minimal } = result;
  const sides = [side('store', store), side('raw', raw), ...(minimal ? [side('minimal', minimal)] : [])];
  const ratios = [costRatio('raw', store, raw), ...(minimal ? [costRatio('minimal', store, minimal)] : [])];
  return `${result.name}: CPU per ${result.unit ?? 'event'} ${sides.join(', ')}; ${ratios.join(', ')}`;
};
