import { exactWholeNumber } from '../../event-sourcing/domain/index.js';
import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

export const projectionsReplay: AppCommand = {
  name: 'projections:replay',
  usage: 'projections:replay <name> [--from N]',
  summary: 're-apply events from global position N (default 0)',
  help: 'Moves every partition\'s checkpoint that is past global position N back to just before it; the\n'
    + 'running workers re-apply the events from there. A partition before N already (paused, lagging)\n'
    + 'keeps its checkpoint: it applies the events it has not yet, then those from N on; none is skipped.',
  options: { from: { type: 'string', default: '0' } },
  positionals: 1,
  validate: ({ values }) =>
    exactWholeNumber(String(values.from)) !== null
      ? undefined
      : `--from takes a position, a whole number up to ${Number.MAX_SAFE_INTEGER}, not ${values.from}`,
  async run(app, { positionals: [name], values }) {
    const { ProjectionAdmin } = await import('../../event-sourcing/index.js');
    const from = Number(values.from);
    const { name: replayed } = await app.get(ProjectionAdmin).replay(name, from);
    write(`replaying ${replayed} from position ${from}`);
    return 0;
  },
};
