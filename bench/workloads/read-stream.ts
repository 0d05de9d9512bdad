import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { BENCH_TENANT, FLAT_PAYLOAD, ORDER_PAYLOAD, PERSONAL_PAYLOAD, UNSEALED_PAYLOAD, type BenchPayload } from '../fixtures.js';
import { compareTimed } from '../harness/timed-comparison.js';
import type { BenchTarget } from '../targets/target.js';
import { vacuum } from './seed.js';
import { targetResult } from './target-result.js';
import type { Workload } from './workload.js';

const SEED_BATCH = 100;

const streamOf = (target: BenchTarget, aggregateType: string): StreamId => ({
  tenantId: BENCH_TENANT,
  aggregateType,
  aggregateId: `${target.name}-long`,
});

/** The same events on every target: one source per target, all of the same seed. */
const seedStream = async (target: BenchTarget, stream: StreamId, payload: BenchPayload, length: number) => {
  const next = payload.source(stream.aggregateType);
  for (let version = 0; version < length; version += SEED_BATCH) {
    const ok = await target.appendExact(stream, next(Math.min(SEED_BATCH, length - version)), version);
    if (!ok) throw new Error(`${target.name}: could not seed the long stream at version ${version}`);
  }
};

const readStreamOf = (name: string, aggregateType: string, payload: BenchPayload): Workload => ({
  name,
  async run({ config, targets, pool, cpu }) {
    for (const target of targets) {
      await seedStream(target, streamOf(target, aggregateType), payload, config.streamLength);
      await vacuum(pool, target);
    }
    const samples = await compareTimed(targets, cpu, {
      warmupMs: config.warmupMs,
      measureMs: config.readStreamMs,
      workers: (target) =>
        Array.from({ length: config.streamReaders }, () => async () => {
          const loaded = await target.loadStream(streamOf(target, aggregateType));
          if (loaded !== config.streamLength) throw new Error(`${target.name}: loaded ${loaded} events`);
          return loaded;
        }),
    });
    return targetResult(name, payload, samples, { stream_length: config.streamLength, readers: config.streamReaders });
  },
});

export const readStream = readStreamOf('read_stream_1000', 'bench_long', FLAT_PAYLOAD);
export const readOrderStream = readStreamOf('read_stream_order', 'bench_long_order', ORDER_PAYLOAD);
/** Personal fields of 50 guests, sealed: each read opens 3,000 values with the guests' kept keys. */
export const readPersonalStream = readStreamOf('read_stream_personal', 'bench_long_personal', PERSONAL_PAYLOAD);
/** The same events unsealed (their type registered without personal fields): the same run's "before". */
export const readUnsealedStream = readStreamOf('read_stream_unsealed', 'bench_long_unsealed', UNSEALED_PAYLOAD);
