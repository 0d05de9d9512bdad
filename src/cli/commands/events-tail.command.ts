import type { Pool } from 'pg';
import { PG_POOL_TOKEN } from '../../event-sourcing/index.js';
import type { CliCommand } from '../cli-command.js';
import { write } from '../output.js';

interface TailRow {
  readonly position: string;
  readonly tenant_id: string;
  readonly aggregate_type: string;
  readonly aggregate_id: string;
  readonly type: string;
  readonly recorded_at: Date;
}

export const eventsTail: CliCommand = {
  name: 'events:tail',
  usage: 'events:tail [--type T] [--tenant X] [--limit N]',
  summary: 'the last N events of the global log (default 20)',
  help: 'Prints the last N events of the global log (default 20), filtered by type and tenant, oldest first:\n'
    + '  <position>  <tenant>  <tenant>/<aggregateType>/<id>  <type>  <recorded time>',
  options: { type: { type: 'string' }, tenant: { type: 'string' }, limit: { type: 'string', default: '20' } },
  positionals: 0,
  validate: ({ values }) =>
    /^[1-9]\d{0,4}$/.test(String(values.limit)) ? undefined : `--limit takes a count from 1, not ${values.limit}`,
  async run(app, { values }) {
    // Read newest first in the store's own log order (transaction, position), only the envelope's
    // columns: no data is shown, so no event needs loading or upcasting.
    const { rows } = await app.get<Pool>(PG_POOL_TOKEN).query<TailRow>(
      `SELECT position, tenant_id, aggregate_type, aggregate_id, type, recorded_at FROM events
       WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR tenant_id = $2)
       ORDER BY transaction_id DESC, position DESC LIMIT $3`,
      [values.type ?? null, values.tenant ?? null, Number(values.limit)],
    );
    for (const e of rows.reverse()) {
      const stream = `${e.tenant_id}/${e.aggregate_type}/${e.aggregate_id}`;
      write(`${e.position}  ${e.tenant_id}  ${stream}  ${e.type}  ${e.recorded_at.toISOString()}`);
    }
    return 0;
  },
};
