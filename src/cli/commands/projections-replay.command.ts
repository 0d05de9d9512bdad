import { ProjectionAdmin } from '../../event-sourcing/index.js';
import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

export const projectionsReplay: AppCommand = {
  name: 'projections:replay',
  usage: 'projections:replay <name> [--from N]',
  summary: 're-apply events from global position N (default 0)',
  help: 'Moves every partition\'s checkpoint back to just before global position N; the running workers\n'
    + 're-apply the events from there.',
  options: { from: { type: 'string', default: '0' } },
  positionals: 1,
  validate: ({ values }) =>
    /^\d+$/.test(String(values.from)) ? undefined : `--from takes a position (a whole number), not ${values.from}`,
  async run(app, { positionals: [name], values }) {
    const { name: replayed } = await app.get(ProjectionAdmin).replay(name, Number(values.from));
    write(`replaying ${replayed} from position ${values.from}`);
    return 0;
  },
};
