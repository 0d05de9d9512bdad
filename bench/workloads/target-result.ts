import type { BenchPayload } from '../fixtures.js';
import type { PerTarget } from '../harness/interleave.js';
import { summarize, type Sample } from '../harness/sample.js';
import { payloadShape } from '../payloads/payload-shape.js';
import type { WorkloadResult } from './workload.js';

/** The result of a workload run on the three targets, with the payload it wrote named in `extra`. */
export const targetResult = (
  name: string,
  payload: BenchPayload,
  samples: PerTarget<Sample>,
  extra: WorkloadResult['extra'] = {},
  notes: readonly string[] = [],
): WorkloadResult => ({
  name,
  store: summarize(samples.store),
  raw: summarize(samples.raw),
  minimal: summarize(samples.minimal),
  extra: { ...payloadShape(payload), ...extra },
  notes,
});
