import type { Work } from './sample.js';

/** One unit of work (an append, a load…); resolves to the number of events it handled. */
export type Operation = () => Promise<number>;

/**
 * Runs each worker's operation back to back until `durationMs` has passed, all workers at
 * once. The clock stops when the last in-flight operation ends, so every counted event is
 * inside the measured time.
 */
export const runClosedLoop = async (workers: readonly Operation[], durationMs: number): Promise<Work> => {
  const latenciesMs: number[] = [];
  let events = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    workers.map(async (operation) => {
      while (performance.now() < deadline) {
        const began = performance.now();
        const handled = await operation(); // not `events += await …`: that reads `events` before awaiting
        latenciesMs.push(performance.now() - began);
        events += handled;
      }
    }),
  );
  return { events, ops: latenciesMs.length, elapsedMs: performance.now() - start, latenciesMs };
};
