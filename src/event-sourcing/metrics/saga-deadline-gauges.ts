import type { Pool } from 'pg';
import type { ScrapeReadings } from './scrape-readings.js';

interface DeadlineRow {
  readonly saga: string;
  readonly pending: number;
  readonly overdue_seconds: number;
}

/**
 * Deadlines sagas wait on, and how late the oldest one due is: the poller fires a due deadline
 * within a poll (250 ms), so one overdue for long means no worker runs the sagas. Every saga named
 * gets its series, 0 included, so an alert needs no `absent()`.
 */
export const registerSagaDeadlineGauges = (
  readings: ScrapeReadings,
  pool: Pool,
  sagaNames: () => readonly string[],
): void => {
  const deadlines = readings.reading('saga_deadlines', async () => {
    const { rows } = await pool.query<DeadlineRow>(
      `SELECT saga, count(*)::int AS pending,
              coalesce(extract(epoch FROM now() - min(due_at) FILTER (WHERE due_at <= now())), 0)::float8
                AS overdue_seconds
       FROM saga_deadlines GROUP BY saga`,
    );
    const none = (saga: string): [string, DeadlineRow] => [saga, { saga, pending: 0, overdue_seconds: 0 }];
    const bySaga = new Map(sagaNames().map(none));
    for (const row of rows) bySaga.set(row.saga, row);
    return [...bySaga.values()];
  });
  readings.gauge(
    {
      name: 'chronicle_saga_deadlines_pending',
      help: 'Deadlines set and not fired yet, by saga',
      labelNames: ['saga'],
    },
    deadlines,
    (rows) => rows.map((row) => ({ labels: { saga: row.saga }, value: row.pending })),
  );
  readings.gauge(
    {
      name: 'chronicle_saga_deadline_oldest_overdue_seconds',
      help: 'How long ago the oldest deadline still waiting fell due (0: none overdue), by saga',
      labelNames: ['saga'],
    },
    deadlines,
    (rows) => rows.map((row) => ({ labels: { saga: row.saga }, value: row.overdue_seconds })),
  );
};
