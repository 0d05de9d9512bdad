import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

/** Progress is printed every this many events, so a long rebuild shows life without flooding. */
const PROGRESS_EVERY = 10_000;

export const projectionsRebuild: AppCommand = {
  name: 'projections:rebuild',
  usage: 'projections:rebuild <name>',
  summary: 'rebuild from event 0 into a shadow table, then swap',
  help: 'Folds every event into a shadow table while the projection keeps serving, then swaps the tables.\n'
    + 'Fails when another rebuild of the same projection is under way.',
  positionals: 1,
  async run(app, { positionals: [name] }) {
    const { ProjectionAdmin } = await import('../../event-sourcing/index.js');
    let last = 0;
    const report = await app.get(ProjectionAdmin).rebuild(name, (progress) => {
      if (progress.phase === 'swapped' || progress.eventsApplied - last >= PROGRESS_EVERY) {
        last = progress.eventsApplied;
        write(`${progress.phase}: ${progress.eventsApplied} events applied, at position ${progress.position}`);
      }
    });
    write(`rebuilt ${report.name}; lag now ${report.lagEvents} events`);
    return 0;
  },
};
