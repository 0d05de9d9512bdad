import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { BENCH_TENANT, benchEvents } from '../fixtures.js';
import type { Operation } from '../harness/closed-loop.js';
import type { BenchTarget } from '../targets/target.js';

/**
 * `writers` workers, each appending `batchSize`-event batches to a stream of its own with
 * the exact expected version it tracks. A conflict here would be a bug, so it throws.
 */
export const ownStreamWriters = (
  target: BenchTarget,
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
    let version = 0;
    return async () => {
      if (!(await target.appendExact(stream, benchEvents(batchSize), version))) {
        throw new Error(`${target.name}: unexpected conflict on ${stream.aggregateId} at version ${version}`);
      }
      version += batchSize;
      return batchSize;
    };
  });
