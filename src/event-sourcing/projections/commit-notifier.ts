import type { Pool } from 'pg';

export const EVENTS_CHANNEL = 'chronicle_events';

/**
 * Wakes projection workers after appends commit. The NOTIFY is sent on its own, outside the
 * append's transaction (a NOTIFY inside it takes a database-wide lock at commit), and
 * coalesced: at most one in flight, and one more after it if appends came in meanwhile.
 */
export class CommitNotifier {
  private inFlight = false;
  private again = false;

  constructor(
    private readonly pool: Pool,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  notify(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.pool
      .query(`SELECT pg_notify($1, '')`, [EVENTS_CHANNEL])
      .catch((error: unknown) => this.log(`NOTIFY failed (workers fall back to polling): ${String(error)}`))
      .finally(() => {
        this.inFlight = false;
        if (this.again) {
          this.again = false;
          this.notify();
        }
      });
  }
}
