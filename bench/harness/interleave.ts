import type { BenchTarget, TargetName } from '../targets/target.js';
import { cpuSince, type CpuMeter } from './cpu-meter.js';
import { EMPTY_SAMPLE, mergeSamples, type Sample, type Work } from './sample.js';

export type PerTarget<T> = Record<TargetName, T>;

/** Collects garbage between phases, so one target does not pay for the other's garbage. */
export const settle = (): void => {
  globalThis.gc?.();
};

/**
 * Runs `phase` for each target, `rounds` times, in the order A B C, C B A, A B C…, so drift on
 * a shared, noisy machine falls on all targets alike. Samples of a target are merged, with
 * the CPU each phase used.
 */
export const interleave = async <T extends { readonly name: TargetName } = BenchTarget>(
  targets: readonly T[],
  rounds: number,
  cpu: CpuMeter,
  phase: (target: T, round: number) => Promise<Work>,
): Promise<Record<T['name'], Sample>> => {
  const merged = Object.fromEntries(targets.map((target) => [target.name, EMPTY_SAMPLE])) as Record<T['name'], Sample>;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      settle();
      const before = cpu.read();
      const work = await phase(target, round);
      const name: T['name'] = target.name;
      merged[name] = mergeSamples(merged[name], { ...work, cpu: cpuSince(before, cpu.read()) });
    }
  }
  return merged;
};
