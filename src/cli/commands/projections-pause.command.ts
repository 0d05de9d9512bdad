import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

export const projectionsPause: AppCommand = {
  name: 'projections:pause',
  usage: 'projections:pause <name>',
  summary: 'stop applying events (the kill switch)',
  help: 'Workers stop applying events to the projection; its checkpoints stay where they are.',
  positionals: 1,
  async run(app, { positionals: [name] }) {
    const { ProjectionAdmin } = await import('../../event-sourcing/index.js');
    write(`${(await app.get(ProjectionAdmin).pause(name)).name} paused`);
    return 0;
  },
};
