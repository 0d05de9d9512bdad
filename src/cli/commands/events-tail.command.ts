import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

interface TailRow {
  readonly position: string;
  readonly transaction_id: string;
  readonly tenant_id: string;
  readonly aggregate_type: string;
  readonly aggregate_id: string;
  readonly type: string;
  readonly recorded_at: Date;
  /** Whether it passes --type and --tenant (a follow reads every row, to move past the others). */
  readonly shown: boolean;
}

const FOLLOW_POLL_MS = 250;
const FOLLOW_PAGE = 1_000;

// Only the envelope's columns: no data is shown, so no event needs loading, opening or upcasting.
// Both reads stop below the oldest open transaction, as the store's log reads do: a
// transaction still open may commit later with an older id, and following must not pass it.
const COLUMNS = `position, transaction_id::text AS transaction_id, tenant_id, aggregate_type, aggregate_id, type, recorded_at,
  ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR tenant_id = $2) AS shown`;
const FENCE = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
const UP_TO = `SELECT ${COLUMNS} FROM events
  WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR tenant_id = $2)
    AND (transaction_id, position) <= ($3::text::xid8, $4::bigint)
  ORDER BY events.transaction_id DESC, events.position DESC LIMIT $5`;
const LAST_READABLE = `SELECT ${COLUMNS} FROM events WHERE ${FENCE} ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1`;
const AFTER = `SELECT ${COLUMNS} FROM events
  WHERE (transaction_id, position) > ($3::text::xid8, $4::bigint) AND ${FENCE}
  ORDER BY events.transaction_id, events.position LIMIT $5`;

const print = (e: TailRow): void =>
  write(`${e.position}  ${e.tenant_id}  ${e.tenant_id}/${e.aggregate_type}/${e.aggregate_id}  ${e.type}  ${e.recorded_at.toISOString()}`);

/** Resolves at the first SIGINT or SIGTERM: following ends there, with exit code 0. */
const interrupted = (): { readonly stopped: () => boolean; readonly wait: Promise<void> } => {
  let stopped = false;
  const wait = new Promise<void>((resolve) => {
    const stop = () => {
      stopped = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { stopped: () => stopped, wait };
};

export const eventsTail: AppCommand = {
  name: 'events:tail',
  usage: 'events:tail [--type T] [--tenant X] [--limit N] [--follow]',
  summary: 'the last N events of the global log (default 20); --follow keeps printing new ones',
  help: 'Prints the last N events of the global log (default 20), filtered by type and tenant, oldest first:\n'
    + '  <position>  <tenant>  <tenant>/<aggregateType>/<id>  <type>  <recorded time>\n'
    + 'With --follow it then prints each new event as it commits, in log order, until interrupted\n'
    + '(Ctrl-C or SIGTERM: exit code 0).',
  options: {
    type: { type: 'string' },
    tenant: { type: 'string' },
    limit: { type: 'string', default: '20' },
    follow: { type: 'boolean', short: 'f', default: false },
  },
  positionals: 0,
  validate: ({ values }) =>
    /^[1-9]\d{0,4}$/.test(String(values.limit)) ? undefined : `--limit takes a count from 1, not ${values.limit}`,
  async run(app, { values }) {
    const { PG_POOL_TOKEN } = await import('../../event-sourcing/index.js');
    const pool = app.get<Pool>(PG_POOL_TOKEN);
    const filters = [values.type ?? null, values.tenant ?? null];
    const signal = values.follow ? interrupted() : undefined;
    // The newest readable event of any type or tenant first: the last N are those up to it, and
    // following goes on from it, so nothing committing meanwhile falls between the two.
    let cursor = (await pool.query<TailRow>(LAST_READABLE, filters)).rows[0] ?? { transaction_id: '0', position: '0' };
    const { rows } = await pool.query<TailRow>(UP_TO, [...filters, cursor.transaction_id, cursor.position, Number(values.limit)]);
    for (const e of rows.reverse()) print(e);
    if (!signal) return 0;
    while (!signal.stopped()) {
      const page = (await pool.query<TailRow>(AFTER, [...filters, cursor.transaction_id, cursor.position, FOLLOW_PAGE])).rows;
      for (const e of page) if (e.shown) print(e);
      cursor = page.at(-1) ?? cursor;
      if (page.length < FOLLOW_PAGE) await Promise.race([sleep(FOLLOW_POLL_MS), signal.wait]);
    }
    return 0;
  },
};
