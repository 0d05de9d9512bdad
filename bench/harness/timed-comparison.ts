import type { BenchTarget } from '../targets/target.js';
import { runClosedLoop, type Operation } from './closed-loop.js';
import { interleave, settle, type PerTarget } from './interleave.js';
import type { CpuMeter } from './cpu-meter.js';
import type { Sample } from './sample.js';

export interface TimedComparison {
  readonly warmupMs: number;
  /** Measured time per target, split over two interleaved phases. */
  readonly measureMs: number;
  /** The workers of one phase; `phase` names it so each phase can use fresh streams. */
  readonly workers: (target: BenchTarget, phase: string) => Operation[];
}

/** Warms each target up, then measures all in two interleaved phases (A B C, C B A). */
export const compareTimed = async (
  targets: readonly BenchTarget[],
  cpu: CpuMeter,
  plan: TimedComparison,
): Promise<PerTarget<Sample>> => {
  for (const target of targets) {
    settle();
    await runClosedLoop(plan.workers(target, 'warmup'), plan.warmupMs);
  }
  return interleave(targets, 2, cpu, (target, round) =>
    runClosedLoop(plan.workers(target, `phase${round}`), plan.measureMs / 2),
  );
};
