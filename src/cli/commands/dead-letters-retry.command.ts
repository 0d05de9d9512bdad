import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';
import { rowIdArgument } from './row-id-argument.js';

export const deadLettersRetry: AppCommand = {
  name: 'dead-letters:retry',
  usage: 'dead-letters:retry <id>',
  summary: 'retry a subscription\'s dead letter (a projection\'s, a saga\'s, the relay\'s)',
  help: 'As POST /v1/admin/dead-letters/:id/retry: a subscription stopped at the event runs again from it;\n'
    + 'an event a projection skipped is applied now. Exits 1 if no dead letter has that id.',
  positionals: 1,
  validate: rowIdArgument('a dead letter'),
  async run(app, { positionals: [id] }) {
    const { ProjectionAdmin } = await import('../../event-sourcing/index.js');
    const letter = await app.get(ProjectionAdmin).retryDeadLetter(Number(id));
    write(`dead letter ${letter.id} (${letter.projection}, event ${letter.eventId}) retried at ${letter.retriedAt}`);
    return 0;
  },
};
