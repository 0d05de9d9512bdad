import type { Pool } from 'pg';
import type { ScrapeReadings } from './scrape-readings.js';

interface BacklogRow {
  readonly saga: string;
  readonly waiting: number;
  readonly late_seconds: number;
}

interface Backlog {
  /** The scrape-failure family, and what the gauges are named after. */
  readonly family: string;
  /** Per saga: `waiting` rows, and `late_seconds` since the oldest one should have gone. */
  readonly sql: string;
  readonly waiting: { readonly name: string; readonly help: string };
  readonly late: { readonly name: string; readonly help: string };
}

/**
 * What sagas leave for the runtime to do, per saga: deadlines set and not fired, and commands
 * in the outbox not sent. The poller fires a due deadline within 250 ms and the sender sends a
 * command within 100 ms, so one late for long means no worker runs the sagas, or it keeps
 * failing (each failure is logged). Every saga named gets its series, 0 included, so an alert
 * needs no `absent()`.
 */
const BACKLOGS: readonly Backlog[] = [
  {
    family: 'saga_deadlines',
    sql: `SELECT saga, count(*)::int AS waiting,
                 coalesce(extract(epoch FROM now() - min(due_at) FILTER (WHERE due_at <= now())), 0)::float8 AS late_seconds
          FROM saga_deadlines GROUP BY saga`,
    waiting: { name: 'chronicle_saga_deadlines_pending', help: 'Deadlines set and not fired yet, by saga' },
    late: {
      name: 'chronicle_saga_deadline_oldest_overdue_seconds',
      help: 'How long ago the oldest deadline still waiting fell due (0: none overdue), by saga',
    },
  },
  {
    family: 'saga_commands',
    sql: `SELECT saga, count(*)::int AS waiting, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS late_seconds
          FROM saga_commands WHERE sent_at IS NULL GROUP BY saga`,
    waiting: { name: 'chronicle_saga_commands_unsent', help: 'Commands saga steps left in the outbox, not sent yet, by saga' },
    late: {
      name: 'chronicle_saga_command_oldest_unsent_seconds',
      help: 'How long ago the oldest command still unsent was decided (0: none), by saga',
    },
  },
];

export const registerSagaBacklogGauges = (
  readings: ScrapeReadings,
  pool: Pool,
  sagaNames: () => readonly string[],
): void => {
  for (const { family, sql, waiting, late } of BACKLOGS) {
    const backlog = readings.reading(family, async () => {
      const { rows } = await pool.query<BacklogRow>(sql);
      const none = (saga: string): [string, BacklogRow] => [saga, { saga, waiting: 0, late_seconds: 0 }];
      const bySaga = new Map(sagaNames().map(none));
      for (const row of rows) bySaga.set(row.saga, row);
      return [...bySaga.values()];
    });
    const labels = { labelNames: ['saga'] };
    readings.gauge({ ...waiting, ...labels }, backlog, (rows) => rows.map((row) => ({ labels: { saga: row.saga }, value: row.waiting })));
    readings.gauge({ ...late, ...labels }, backlog, (rows) => rows.map((row) => ({ labels: { saga: row.saga }, value: row.late_seconds })));
  }
};
