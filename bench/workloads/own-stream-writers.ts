import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { BENCH_TENANT, type BenchPayload } from '../fixtures.js';
import type { Operation } from '../harness/closed-loop.js';
import type { BenchTarget } from '../targets/target.js';

/**
 * `writers` workers, each appending `batchSize`-event batches to a stream of its own with
 * the exact expected version it tracks. A conflict here would be a bug, so it throws.
 * Writer n of a phase writes the same events on every target.
 */
export const ownStreamWriters = (
  target: BenchTarget,
  payload: BenchPayload,
  aggregateType: string,
  phase: string,
  writers: number,
  batchSize: number,
): Operation[] =>
  Array.from({ length: writers }, (_, writer) => {
    const stream: StreamId = {
      tenantId: BENCH_TENANT,
      aggregateType,
      aggregateId: `${target.name}-${phase}-${writer}`,
    };
    const next = payload.source(`${aggregateType}-${phase}-${writer}`);
    let version = 0;
    return async () => {
      if (!(await target.appendExact(stream, next(batchSize), version))) {
        throw new Error(`${target.name}: unexpected conflict on ${stream.aggregateId} at version ${version}`);
      }
      version += batchSize;
      return batchSize;
    };
  });
