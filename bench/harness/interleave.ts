import type { BenchTarget, TargetName } from '../targets/target.js';
import { cpuSince, type CpuMeter } from './cpu-meter.js';
import { EMPTY_SAMPLE, mergeSamples, type Sample, type Work } from './sample.js';

export type TargetPair = readonly [BenchTarget, BenchTarget];
export type PerTarget<T> = Record<TargetName, T>;

/** Collects garbage between phases, so one target does not pay for the other's garbage. */
export const settle = (): void => {
  globalThis.gc?.();
};

/**
 * Runs `phase` for each target, `rounds` times, in the order A B, B A, A B…, so drift on a
 * shared, noisy machine falls on both targets alike. Samples of a target are merged, with
 * the CPU each phase used.
 */
export const interleave = async <T extends { readonly name: TargetName } = BenchTarget>(
  targets: readonly [T, T],
  rounds: number,
  cpu: CpuMeter,
  phase: (target: T, round: number) => Promise<Work>,
): Promise<PerTarget<Sample>> => {
  const merged: PerTarget<Sample> = { store: EMPTY_SAMPLE, raw: EMPTY_SAMPLE };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : ([targets[1], targets[0]] as const);
    for (const target of order) {
      settle();
      const before = cpu.read();
      const work = await phase(target, round);
      merged[target.name] = mergeSamples(merged[target.name], { ...work, cpu: cpuSince(before, cpu.read()) });
    }
  }
  return merged;
};
