import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { BENCH_TENANT, benchEvents } from '../fixtures.js';
import { summarize } from '../harness/sample.js';
import { compareTimed } from '../harness/timed-comparison.js';
import type { BenchTarget } from '../targets/target.js';
import { vacuum } from './seed.js';
import type { Workload } from './workload.js';

const SEED_BATCH = 100;

const streamOf = (target: BenchTarget): StreamId => ({
  tenantId: BENCH_TENANT,
  aggregateType: 'bench_long',
  aggregateId: `${target.name}-long`,
});

const seedStream = async (target: BenchTarget, length: number): Promise<void> => {
  for (let version = 0; version < length; version += SEED_BATCH) {
    const ok = await target.appendExact(streamOf(target), benchEvents(Math.min(SEED_BATCH, length - version)), version);
    if (!ok) throw new Error(`${target.name}: could not seed the long stream at version ${version}`);
  }
};

export const readStream: Workload = {
  name: 'read_stream_1000',
  async run({ config, targets, pool, cpu }) {
    for (const target of targets) {
      await seedStream(target, config.streamLength);
      await vacuum(pool, target);
    }
    const samples = await compareTimed(targets, cpu, {
      warmupMs: config.warmupMs,
      measureMs: config.readStreamMs,
      workers: (target) =>
        Array.from({ length: config.streamReaders }, () => async () => {
          const loaded = await target.loadStream(streamOf(target));
          if (loaded !== config.streamLength) throw new Error(`${target.name}: loaded ${loaded} events`);
          return loaded;
        }),
    });
    return {
      name: this.name,
      store: summarize(samples.store),
      raw: summarize(samples.raw),
      extra: { stream_length: config.streamLength, readers: config.streamReaders },
      notes: [],
    };
  },
};
