import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

const STATUSES = ['active', 'done'];

export const sagasList: AppCommand = {
  name: 'sagas:list',
  usage: 'sagas:list [--status active|done] [--type <saga>] [--limit N]',
  summary: 'saga instances: status, key, tenant, pending deadlines',
  help: 'Lists saga instances across tenants, most recently moved first (at most --limit, default 100):\n'
    + '  <saga>  <status>  key <key>  tenant <tenant>  updated <time>  deadlines <name> at <due>, … | none',
  options: { status: { type: 'string' }, type: { type: 'string' }, limit: { type: 'string', default: '100' } },
  positionals: 0,
  validate: ({ values }) => {
    if (values.status !== undefined && !STATUSES.includes(String(values.status))) {
      return `--status is active or done, not ${values.status}`;
    }
    if (!/^[1-9]\d{0,5}$/.test(String(values.limit))) return `--limit takes a count from 1, not ${values.limit}`;
    return undefined;
  },
  async run(app, { values }) {
    const { SagaAdmin } = await import('../../event-sourcing/index.js');
    const instances = await app.get(SagaAdmin).list({
      status: values.status as 'active' | 'done' | undefined,
      saga: values.type as string | undefined,
      limit: Number(values.limit),
    });
    for (const i of instances) {
      const deadlines = i.deadlines.map((d) => `${d.name} at ${d.dueAt}`).join(', ') || 'none';
      const where = `key ${i.key}  tenant ${i.tenantId}`;
      write(`${i.saga}  ${i.status}  ${where}  updated ${i.updatedAt}  deadlines ${deadlines}`);
    }
    if (instances.length === 0) write('no saga instances');
    return 0;
  },
};
