import type { Pool } from 'pg';
import { oldestOpenTransaction } from '../store/oldest-open-transaction.js';
import type { ScrapeReadings } from './scrape-readings.js';

/** The age of the oldest transaction holding back the log's readers (see `oldestOpenTransaction`). */
export const registerReadFenceGauge = (readings: ScrapeReadings, pool: Pool): void => {
  readings.gauge(
    {
      name: 'chronicle_db_oldest_transaction_seconds',
      help: 'Age of the oldest open transaction holding an xid (the log readers\' fence); 0 when none',
      labelNames: [],
    },
    readings.reading('oldest_transaction', async () => (await oldestOpenTransaction(pool))?.seconds ?? 0),
    (seconds) => [{ labels: {}, value: seconds }],
  );
};
