import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

export const inboxList: AppCommand = {
  name: 'inbox:list',
  usage: 'inbox:list [--consumer <name>]',
  summary: 'inbox messages parked after their attempts',
  help: 'Lists the RabbitMQ messages inbox consumers parked after their last attempt, oldest first:\n'
    + '  <id>  <consumer>  <event type>  message <id>  attempts <n>  parked <time>  [retry asked <time>]  <last error>\n'
    + 'Exits 0 with "no parked inbox messages" when there are none. inbox:retry <id> has one handled again.',
  options: { consumer: { type: 'string' } },
  positionals: 0,
  async run(app, { values }) {
    const { InboxFailures } = await import('../../event-sourcing/index.js');
    const parked = await app.get(InboxFailures).list(values.consumer as string | undefined);
    for (const p of parked) {
      const retry = p.retryRequestedAt ? `  retry asked ${p.retryRequestedAt}` : '';
      write(`${p.id}  ${p.consumer}  ${p.eventType ?? '?'}  message ${p.messageId}  attempts ${p.attempts}  parked ${p.parkedAt}${retry}  ${p.error}`);
    }
    if (parked.length === 0) write('no parked inbox messages');
    return 0;
  },
};
