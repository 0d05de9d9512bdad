import { StepGathering } from './step-gathering.js';

describe('StepGathering', () => {
  it('runs the steps that join over the same rows in one turn of the event loop together, once', async () => {
    const runs: number[][] = [];
    const gathering = new StepGathering<number>(async (members) => void runs.push([...members]));

    const outcomes = await Promise.all([gathering.join('a', 1), gathering.join('a', 2), gathering.join('b', 3)]);

    expect(outcomes).toEqual(['together', 'together', 'alone']);
    expect(runs).toEqual([[1, 2]]);
  });

  it('tells every member of a failed group to go alone, and does not run a later step with them', async () => {
    const runs: number[][] = [];
    const gathering = new StepGathering<number>(async (members) => {
      runs.push([...members]);
      if (members.includes(1)) throw new Error('rolled back');
    });

    const failed = await Promise.all([gathering.join('a', 1), gathering.join('a', 2)]);
    const later = await Promise.all([gathering.join('a', 3), gathering.join('a', 4)]);

    expect(failed).toEqual(['failed', 'failed']);
    expect(later).toEqual(['together', 'together']);
    expect(runs).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('starts another group once one holds the most it may', async () => {
    const runs: number[][] = [];
    const gathering = new StepGathering<number>(async (members) => void runs.push([...members]), 2);

    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((member) => gathering.join('a', member)));

    expect(outcomes).toEqual(['together', 'together', 'together', 'together', 'alone']);
    expect(runs).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
