import { compareTimed } from '../harness/timed-comparison.js';
import { summarize } from '../harness/sample.js';
import { ownStreamWriters } from './own-stream-writers.js';
import type { Workload } from './workload.js';

export const singleAppends: Workload = {
  name: 'single_appends_8_writers',
  async run({ config, targets, cpu }) {
    const samples = await compareTimed(targets, cpu, {
      warmupMs: config.warmupMs,
      measureMs: config.appendMs,
      workers: (target, phase) => ownStreamWriters(target, 'bench_single', phase, config.writers, 1),
    });
    return { name: this.name, store: summarize(samples.store), raw: summarize(samples.raw), extra: {}, notes: [] };
  },
};
