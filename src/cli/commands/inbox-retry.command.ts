import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';
import { rowIdArgument } from './row-id-argument.js';

export const inboxRetry: AppCommand = {
  name: 'inbox:retry',
  usage: 'inbox:retry <id>',
  summary: 'have a parked inbox message handled again',
  help: 'Asks for a parked inbox message (an id from inbox:list) to be handled again. A worker running its\n'
    + 'consumer does it within a second or so: handled, it leaves inbox:list; failed again, it stays\n'
    + 'there with the new error. Exits 1 if no parked message has that id.',
  positionals: 1,
  validate: rowIdArgument('a parked message'),
  async run(app, { positionals: [id] }) {
    const { InboxFailures } = await import('../../event-sourcing/index.js');
    const asked = await app.get(InboxFailures).requestRetry(Number(id));
    write(`retry of ${asked.id} (${asked.consumer}, message ${asked.messageId}) asked at ${asked.retryRequestedAt}`);
    return 0;
  },
};
