import type { Pool } from 'pg';
import { unretriedDeadLetters } from '../subscriptions/dead-letters.js';
import { subscriptionLags } from '../subscriptions/subscription-lag.js';
import type { ScrapeReadings } from './scrape-readings.js';

/**
 * How far behind each subscription is (async projections, sagas `saga:<name>`, the `relay`) and its
 * dead letters: the numbers the admin API reports, computed by the same functions, for every
 * subscription with checkpoints in the database (whichever process runs it).
 */
export const registerSubscriptionGauges = (readings: ScrapeReadings, pool: Pool): void => {
  const lags = readings.reading('subscription_lag', () => subscriptionLags(pool, null));
  const labelNames = ['subscription'];
  const lagEvents = 'Events after the slowest partition\'s checkpoint (any type)';
  const lagSeconds = 'Age of the oldest event the slowest partition has not passed';
  readings.gauge(
    { name: 'chronicle_subscription_lag_events', help: lagEvents, labelNames },
    lags,
    (byName) => [...byName].map(([subscription, lag]) => ({ labels: { subscription }, value: lag.events })),
  );
  readings.gauge(
    { name: 'chronicle_subscription_lag_seconds', help: lagSeconds, labelNames },
    lags,
    (byName) => [...byName].map(([subscription, lag]) => ({ labels: { subscription }, value: lag.seconds })),
  );
  readings.gauge(
    { name: 'chronicle_subscription_dead_letters', help: 'Dead letters not retried yet', labelNames },
    readings.reading('dead_letters', () => unretriedDeadLetters(pool, null)),
    (byName) => [...byName].map(([subscription, count]) => ({ labels: { subscription }, value: count })),
  );
};
