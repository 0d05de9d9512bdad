import type { Pool } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { oldestOpenTransaction, type OpenTransaction } from '../../event-sourcing/index.js';
import { note } from '../output.js';

const POLL_MS = 200;
/** A wait shorter than this (a write committing) goes unsaid. */
const SAY_AFTER_MS = 1_000;

const described = (holder: OpenTransaction | null): string => {
  if (holder === null) return 'a transaction this role cannot see (its xact_start needs pg_read_all_stats)';
  const which = holder.pid === null ? 'a prepared transaction' : `the transaction of pid ${holder.pid}`;
  return `${which} in database ${holder.database ?? '?'}, open ${holder.seconds.toFixed(1)} s,`;
};

/**
 * Waits while the log's readers are held back below committed events a check must read: they stop
 * at the oldest transaction open on the server (in any database), which a long write or a forgotten
 * session can keep open. Says once on stderr who holds them back (after a second); gives up after `patienceMs`
 * without progress, naming it, rather than check against a log it could not read to its end.
 */
export class ReadFenceWait {
  private waitingSince: number | null = null;
  private told = false;

  constructor(
    private readonly pool: Pool,
    private readonly patienceMs: number,
  ) {}

  /** The readers moved on: the patience starts again at the next wait. */
  progressed(): void {
    this.waitingSince = null;
  }

  async wait(): Promise<void> {
    this.waitingSince ??= Date.now();
    const holder = await oldestOpenTransaction(this.pool);
    if (Date.now() - this.waitingSince >= this.patienceMs) {
      const seconds = Math.round(this.patienceMs / 1000);
      throw new Error(`gave up after ${seconds} s: ${described(holder)} still holds back the log's readers `
        + '(events committed after it began are not readable until it ends)');
    }
    if (!this.told && Date.now() - this.waitingSince >= SAY_AFTER_MS) {
      this.told = true;
      note(`waiting: ${described(holder)} holds back the log's readers; the check reads to the log's last event`);
    }
    await sleep(POLL_MS);
  }
}
