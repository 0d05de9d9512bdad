import { FLAT_PAYLOAD, ORDER_PAYLOAD, type BenchPayload } from '../fixtures.js';
import { interleave, settle, type PerTarget } from '../harness/interleave.js';
import { withRssSampling, type RssReport } from '../harness/rss-sampler.js';
import type { Work } from '../harness/sample.js';
import { benchTargets, closeTargets, type BenchTargets } from '../targets/bench-targets.js';
import type { BenchTarget, TargetName } from '../targets/target.js';
import { countEvents, seedLog } from './seed.js';
import { targetResult } from './target-result.js';
import type { Workload } from './workload.js';

/** Follows the target's cursor from the start of the log to its end, timing every page. */
const scanLog = async (target: BenchTarget, pageSize: number, expected: number): Promise<Work> => {
  const reader = target.logReader(pageSize);
  const latenciesMs: number[] = [];
  let events = 0;
  const start = performance.now();
  for (;;) {
    const began = performance.now();
    const count = await reader.nextPage();
    latenciesMs.push(performance.now() - began);
    if (count === 0) break;
    events += count;
  }
  const elapsedMs = performance.now() - start;
  if (events !== expected) throw new Error(`${target.name}: read ${events} events of ${expected} in the log`);
  return { events, ops: latenciesMs.length, elapsedMs, latenciesMs };
};

const mb = (value: number): number => Math.round(value * 10) / 10;
/** Holding the whole log would take hundreds of MB; paging should stay well under this. */
const FLAT_RSS_GROWTH_MB = 64;

/**
 * Pages through a log of `payload` events in a database of its own (so the log holds only
 * those), dropped afterwards.
 */
const readAllOf = (name: string, payload: BenchPayload): Workload => ({
  name,
  async run({ config, databases, cpu }) {
    const label = `log_${payload.name}`;
    const { pool } = await databases.open(label);
    let opened: BenchTargets | undefined;
    try {
      const targets = (opened = await benchTargets(pool));
      const totals: PerTarget<number> = { store: 0, raw: 0, minimal: 0 };
      await seedLog(pool, targets, payload, config.logEvents);
      for (const target of targets) {
        totals[target.name] = await countEvents(pool, target);
        settle();
        await scanLog(target, config.pageSize, totals[target.name]); // warm-up pass
      }
      const rss: PerTarget<RssReport[]> = { store: [], raw: [], minimal: [] };
      const samples = await interleave(targets, config.logPasses, cpu, async (target) => {
        const { result, rss: report } = await withRssSampling(() =>
          scanLog(target, config.pageSize, totals[target.name]),
        );
        rss[target.name].push(report);
        return result;
      });
      const startMb = (of: TargetName): number => Math.min(...rss[of].map((r) => r.startMb));
      const peakMb = (of: TargetName): number => Math.max(...rss[of].map((r) => r.peakMb));
      const growthMb = (of: TargetName): number => Math.max(...rss[of].map((r) => r.peakMb - r.startMb));
      const flat = growthMb('store') < FLAT_RSS_GROWTH_MB;
      return targetResult(
        name,
        payload,
        samples,
        {
          log_events: totals.store,
          raw_log_events: totals.raw,
          minimal_log_events: totals.minimal,
          page_size: config.pageSize,
          rss_start_mb: mb(startMb('store')),
          peak_rss_mb: mb(peakMb('store')),
          peak_rss_growth_mb: mb(growthMb('store')),
          raw_rss_start_mb: mb(startMb('raw')),
          raw_peak_rss_mb: mb(peakMb('raw')),
          raw_peak_rss_growth_mb: mb(growthMb('raw')),
          memory_flat: flat,
        },
        [
          `${name}: ${totals.store} events in pages of ${config.pageSize}; ` +
            `process RSS before ${mb(startMb('store'))} MB, ` +
            `peak ${mb(peakMb('store'))} MB (+${mb(growthMb('store'))} MB) for the store, ` +
            `+${mb(growthMb('raw'))} MB for raw: ` +
            (flat ? 'memory stays flat while paging' : 'MEMORY GREW while paging'),
        ],
      );
    } finally {
      await closeTargets(opened);
      await databases.drop(label);
    }
  },
});

export const readAll = readAllOf('read_all_200k', FLAT_PAYLOAD);
export const readOrderLog = readAllOf('read_all_order', ORDER_PAYLOAD);
