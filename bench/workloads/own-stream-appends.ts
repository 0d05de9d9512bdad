import type { BenchConfig } from '../config.js';
import { FLAT_PAYLOAD, ORDER_PAYLOAD, type BenchPayload } from '../fixtures.js';
import { compareTimed } from '../harness/timed-comparison.js';
import { ownStreamWriters } from './own-stream-writers.js';
import { targetResult } from './target-result.js';
import type { Workload } from './workload.js';

/** Writers appending batches of `batchSize(config)` events, each to a stream of its own. */
const ownStreamAppends = (
  name: string,
  aggregateType: string,
  payload: BenchPayload,
  batchSize: (config: BenchConfig) => number,
): Workload => ({
  name,
  async run({ config, targets, cpu }) {
    const samples = await compareTimed(targets, cpu, {
      warmupMs: config.warmupMs,
      measureMs: config.appendMs,
      workers: (target, phase) =>
        ownStreamWriters(target, payload, aggregateType, phase, config.writers, batchSize(config)),
    });
    return targetResult(name, payload, samples);
  },
});

export const singleAppends = ownStreamAppends('single_appends_8_writers', 'bench_single', FLAT_PAYLOAD, () => 1);
export const batchAppends = ownStreamAppends('batch_appends_10', 'bench_batch', FLAT_PAYLOAD, (c) => c.batchSize);
export const singleOrderAppends = ownStreamAppends('append_single_order', 'bench_single_order', ORDER_PAYLOAD, () => 1);
export const batchOrderAppends = ownStreamAppends(
  'append_batch_order',
  'bench_batch_order',
  ORDER_PAYLOAD,
  (c) => c.batchSize,
);
