import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { registerInboxGauges } from './inbox-gauges.js';
import { registerReadFenceGauge } from './read-fence-gauge.js';
import { registerSagaBacklogGauges } from './saga-backlog-gauges.js';
import { ScrapeReadings } from './scrape-readings.js';
import { registerSubscriptionGauges } from './subscription-gauges.js';
import { WriteMetrics } from './write-metrics.js';

export interface EventSourcingMetricsOptions {
  /** The sagas registered, read at scrape time (contexts register theirs after the core is built). */
  readonly sagaNames: () => readonly string[];
  readonly log: (message: string) => void;
}

/**
 * The core's metrics in `registry`: the write path's counters (returned, for the repository's hooks)
 * and the gauges read from PostgreSQL at scrape time: subscriptions' lag and dead letters, saga
 * deadlines and commands, the read fence, parked inbox messages. The app owns the registry (one
 * per app instance) and serves it.
 */
export const registerEventSourcingMetrics = (
  registry: Registry,
  pool: Pool,
  options: EventSourcingMetricsOptions,
): WriteMetrics => {
  const readings = new ScrapeReadings(registry, options.log);
  registerSubscriptionGauges(readings, pool);
  registerSagaBacklogGauges(readings, pool, options.sagaNames);
  registerReadFenceGauge(readings, pool);
  registerInboxGauges(readings, pool);
  return new WriteMetrics(registry);
};
