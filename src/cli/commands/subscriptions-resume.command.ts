import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

export const subscriptionsResume: AppCommand = {
  name: 'subscriptions:resume',
  usage: 'subscriptions:resume <name>',
  summary: 'run any subscription again from its checkpoints (the relay, saga:<name>, a projection)',
  help: 'Lifts the kill switch and runs again a subscription stopped at a dead letter (it retries that event first),\n'
    + 'whatever it is: the relay, a saga (saga:<name>), a projection. Exits 1 if no worker ever ran one of that name.',
  positionals: 1,
  async run(app, { positionals: [name] }) {
    const { SubscriptionAdmin } = await import('../../event-sourcing/index.js');
    const report = await app.get(SubscriptionAdmin).resume(name);
    write(`${report.name} resumed: ${report.paused ? 'paused (by PROJECTIONS_PAUSED)' : report.status}`);
    return 0;
  },
};
