import type { Pool } from 'pg';
import { InboxFailures } from '../inbox/inbox-failures.js';
import type { ScrapeReadings } from './scrape-readings.js';

/**
 * Messages inbox consumers parked after their last attempt, per consumer: each one is an effect
 * (a mail) that has not happened and will not until an operator retries it. Only consumers with
 * a parked message have a series; alert on any.
 */
export const registerInboxGauges = (readings: ScrapeReadings, pool: Pool): void => {
  const failures = new InboxFailures(pool);
  readings.gauge(
    { name: 'chronicle_inbox_dead_letters', help: 'Inbox messages parked after their last attempt, waiting for an operator, by consumer', labelNames: ['consumer'] },
    readings.reading('inbox_dead_letters', () => failures.parkedByConsumer()),
    (byConsumer) => [...byConsumer].map(([consumer, count]) => ({ labels: { consumer }, value: count })),
  );
};
