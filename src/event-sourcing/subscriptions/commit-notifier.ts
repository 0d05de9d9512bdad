import type { Pool } from 'pg';

export const EVENTS_CHANNEL = 'chronicle_events';

/** The least time between two NOTIFYs: at most 200 a second, whatever the append rate. */
const DEFAULT_INTERVAL_MS = 5;

/**
 * Wakes subscription workers after appends commit. The NOTIFY is sent on its own, outside the
 * append's transaction (a NOTIFY inside it takes a database-wide lock at commit), and
 * coalesced: one in flight at a time, at least `intervalMs` apart, each covering every append
 * committed before it was sent. Under load that is one NOTIFY per several hundred appends
 * instead of one per few (a NOTIFY costs about as much as a small append); a worker learns
 * of an append at most `intervalMs` later, and polls anyway.
 */
export class CommitNotifier {
  private pending = false;
  private inFlight = false;
  private timer: NodeJS.Timeout | null = null;
  private lastSentAt = -Infinity;

  constructor(
    private readonly pool: Pool,
    private readonly log: (message: string) => void = () => undefined,
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
  ) {}

  notify(): void {
    this.pending = true;
    if (!this.inFlight && this.timer === null) this.schedule();
  }

  private schedule(): void {
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - performance.now());
    this.timer = setTimeout(() => this.send(), wait);
    this.timer.unref();
  }

  private send(): void {
    this.timer = null;
    if (!this.pending) return;
    this.pending = false;
    this.inFlight = true;
    this.lastSentAt = performance.now();
    // NOTIFY itself, not pg_notify($1): a statement without parameters goes by the simple
    // protocol, one message each way, which cost this machine ~40% less CPU in Node and PostgreSQL.
    this.pool
      .query(`NOTIFY ${EVENTS_CHANNEL}`)
      .catch((error: unknown) => this.log(`NOTIFY failed (workers fall back to polling): ${String(error)}`))
      .finally(() => {
        this.inFlight = false;
        if (this.pending) this.schedule();
      });
  }
}
