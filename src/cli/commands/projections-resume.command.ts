import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

export const projectionsResume: AppCommand = {
  name: 'projections:resume',
  usage: 'projections:resume <name>',
  summary: 'apply events again from the checkpoints',
  help: 'Workers apply the projection\'s events again, from where each partition\'s checkpoint stands.',
  positionals: 1,
  async run(app, { positionals: [name] }) {
    const { ProjectionAdmin } = await import('../../event-sourcing/index.js');
    write(`${(await app.get(ProjectionAdmin).resume(name)).name} resumed`);
    return 0;
  },
};
