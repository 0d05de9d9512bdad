import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { BENCH_TENANT, benchEvent } from '../fixtures.js';
import type { Operation } from '../harness/closed-loop.js';
import type { PerTarget } from '../harness/interleave.js';
import { summarize } from '../harness/sample.js';
import { compareTimed } from '../harness/timed-comparison.js';
import type { BenchTarget } from '../targets/target.js';
import { assertGapFreeVersions } from './version-check.js';
import type { Workload } from './workload.js';

const AGGREGATE_TYPE = 'bench_contended';

/**
 * Writers that each pick one of `streams` shared streams at random, read its version and
 * append one event expecting exactly that version; on a conflict they re-read and retry.
 */
const contendedWriters = (
  target: BenchTarget,
  phase: string,
  writers: number,
  streamCount: number,
  appended: Map<string, number>,
  onRetry: () => void,
): Operation[] => {
  const streams: StreamId[] = Array.from({ length: streamCount }, (_, index) => ({
    tenantId: BENCH_TENANT,
    aggregateType: AGGREGATE_TYPE,
    aggregateId: `${target.name}-${phase}-${index}`,
  }));
  const operation: Operation = async () => {
    const stream = streams[Math.floor(Math.random() * streams.length)];
    for (;;) {
      const version = await target.streamVersion(stream);
      if (await target.appendExact(stream, [benchEvent()], version)) {
        appended.set(stream.aggregateId, (appended.get(stream.aggregateId) ?? 0) + 1);
        return 1;
      }
      onRetry();
    }
  };
  return Array.from({ length: writers }, () => operation);
};

export const contendedAppends: Workload = {
  name: 'contended_appends_10_streams',
  async run({ config, targets, pool, cpu }) {
    const appended: PerTarget<Map<string, number>> = { store: new Map(), raw: new Map() };
    const retries: PerTarget<number> = { store: 0, raw: 0 };
    const samples = await compareTimed(targets, cpu, {
      warmupMs: config.warmupMs,
      measureMs: config.appendMs,
      workers: (target, phase) =>
        contendedWriters(target, phase, config.writers, config.contendedStreams, appended[target.name], () => {
          if (phase !== 'warmup') retries[target.name] += 1;
        }),
    });
    for (const target of targets) {
      await assertGapFreeVersions(pool, target, BENCH_TENANT, AGGREGATE_TYPE, appended[target.name]);
    }
    const store = summarize(samples.store);
    const raw = summarize(samples.raw);
    return {
      name: this.name,
      store,
      raw,
      extra: { retries: retries.store, raw_retries: retries.raw, versions_gap_free: true },
      notes: [
        `contended: retries store ${retries.store} (${(retries.store / store.ops).toFixed(2)}/append), ` +
          `raw ${retries.raw} (${(retries.raw / raw.ops).toFixed(2)}/append); versions 1..n gap-free in both tables`,
      ],
    };
  },
};
