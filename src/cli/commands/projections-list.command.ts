import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

export const projectionsList: AppCommand = {
  name: 'projections:list',
  usage: 'projections:list',
  summary: 'every projection: status, lag, dead letters, partitions',
  help: 'Lists every async projection with its status (or paused), its lag in events and seconds, its dead letters,\n'
    + 'and each partition\'s checkpoint, events applied and owning worker.',
  positionals: 0,
  async run(app) {
    const { ProjectionAdmin } = await import('../../event-sourcing/index.js');
    for (const p of await app.get(ProjectionAdmin).list()) {
      const lag = `lag ${p.lagEvents} events / ${p.lagSeconds.toFixed(1)} s`;
      write(`${p.name}  ${p.paused ? 'paused' : p.status}  ${lag}  dead letters ${p.deadLetters}`);
      for (const part of p.partitions) {
        write(`  #${part.partition} at ${part.position} (${part.eventsApplied} applied) owner ${part.owner ?? '-'}`);
      }
    }
    return 0;
  },
};
