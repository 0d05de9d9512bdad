import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { BENCH_TENANT, FLAT_PAYLOAD, ORDER_PAYLOAD, type BenchPayload } from '../fixtures.js';
import type { Operation } from '../harness/closed-loop.js';
import type { PerTarget } from '../harness/interleave.js';
import { compareTimed } from '../harness/timed-comparison.js';
import type { BenchTarget } from '../targets/target.js';
import { targetResult } from './target-result.js';
import { assertGapFreeVersions } from './version-check.js';
import type { Workload } from './workload.js';

/**
 * Writers that each pick one of `streams` shared streams at random, read its version and
 * append one event expecting exactly that version; on a conflict they re-read and retry.
 */
const contendedWriters = (
  target: BenchTarget,
  payload: BenchPayload,
  aggregateType: string,
  phase: string,
  writers: number,
  streamCount: number,
  appended: Map<string, number>,
  onRetry: () => void,
): Operation[] => {
  const streams: StreamId[] = Array.from({ length: streamCount }, (_, index) => ({
    tenantId: BENCH_TENANT,
    aggregateType,
    aggregateId: `${target.name}-${phase}-${index}`,
  }));
  return Array.from({ length: writers }, (_, writer) => {
    const next = payload.source(`${aggregateType}-${phase}-${writer}`);
    return async () => {
      const stream = streams[Math.floor(Math.random() * streams.length)];
      const events = next(1);
      for (;;) {
        const version = await target.streamVersion(stream);
        if (await target.appendExact(stream, events, version)) {
          appended.set(stream.aggregateId, (appended.get(stream.aggregateId) ?? 0) + 1);
          return 1;
        }
        onRetry();
      }
    };
  });
};

const contendedAppendsOf = (name: string, aggregateType: string, payload: BenchPayload): Workload => ({
  name,
  async run({ config, targets, pool, cpu }) {
    const appended: PerTarget<Map<string, number>> = { store: new Map(), raw: new Map(), minimal: new Map() };
    const retries: PerTarget<number> = { store: 0, raw: 0, minimal: 0 };
    const samples = await compareTimed(targets, cpu, {
      warmupMs: config.warmupMs,
      measureMs: config.appendMs,
      workers: (target, phase) =>
        contendedWriters(
          target,
          payload,
          aggregateType,
          phase,
          config.writers,
          config.contendedStreams,
          appended[target.name],
          () => {
            if (phase !== 'warmup') retries[target.name] += 1;
          },
        ),
    });
    for (const target of targets) {
      await assertGapFreeVersions(pool, target, BENCH_TENANT, aggregateType, appended[target.name]);
    }
    const perAppend = (target: BenchTarget): string =>
      `${target.name} ${retries[target.name]} (${(retries[target.name] / samples[target.name].ops).toFixed(2)}/append)`;
    return targetResult(
      name,
      payload,
      samples,
      { retries: retries.store, raw_retries: retries.raw, minimal_retries: retries.minimal, versions_gap_free: true },
      [`${name}: retries ${targets.map(perAppend).join(', ')}; versions 1..n gap-free in all three tables`],
    );
  },
});

export const contendedAppends = contendedAppendsOf('contended_appends_10_streams', 'bench_contended', FLAT_PAYLOAD);
export const contendedOrderAppends = contendedAppendsOf(
  'append_contended_order',
  'bench_contended_order',
  ORDER_PAYLOAD,
);
