import type { Pool, PoolClient } from 'pg';
import { endInterruptedRebuild } from './rebuild-lease.js';

/** Workers run a subscription only while 'running': 'stopped' at a dead letter, 'rebuilding' until a rebuild's swap. */
export type SubscriptionStatus = 'running' | 'stopped' | 'rebuilding';

export interface SubscriptionControl {
  readonly paused: boolean;
  readonly status: SubscriptionStatus;
  readonly lastError: string | null;
}

/** The kill switch and status of each subscription (and reactor): workers check it before every batch. */
export class SubscriptionControls {
  constructor(
    private readonly pool: Pool,
    /** Paused by configuration (e.g. PROJECTIONS_PAUSED), whatever the table says. */
    private readonly pausedByConfig: ReadonlySet<string> = new Set(),
  ) {}

  /** Reads in flight, by name, for `shared`. */
  private readonly reading = new Map<string, Promise<SubscriptionControl>>();
  /** When each name's 'rebuilding' was last checked for a rebuild that is gone, by name. */
  private readonly rebuildChecked = new Map<string, number>();

  /**
   * The control as a read in flight finds it, or a new read: the partitions of a subscription
   * that step together check it once per step, not once each.
   */
  shared(name: string): Promise<SubscriptionControl> {
    let read = this.reading.get(name);
    if (!read) {
      read = this.get(name).finally(() => this.reading.delete(name));
      this.reading.set(name, read);
    }
    return read;
  }

  async get(name: string): Promise<SubscriptionControl> {
    // Named: read before every step, so prepared once per connection rather than parsed and planned each time.
    const { rows } = await this.pool.query<{ paused: boolean; status: SubscriptionStatus; last_error: string | null }>({
      name: 'chronicle_subscription_control',
      text: `SELECT paused, status, last_error FROM projection_controls WHERE projection = $1`,
      values: [name],
    });
    const row = rows[0] ?? { paused: false, status: 'running', last_error: null };
    return { paused: row.paused || this.pausedByConfig.has(name), status: row.status, lastError: row.last_error };
  }

  /**
   * Sets a status 'rebuilding' back to 'running' when the rebuild that set it is gone (its lease
   * is free: see rebuild-lease.ts); true when it did. Every partition's step asks while the
   * status reads 'rebuilding', so it looks at most once a second per name.
   */
  async endInterruptedRebuild(name: string): Promise<boolean> {
    const now = Date.now();
    if (now - (this.rebuildChecked.get(name) ?? 0) < 1000) return false;
    this.rebuildChecked.set(name, now);
    return endInterruptedRebuild(this.pool, name);
  }

  /**
   * Lifts the kill switch, and runs again a subscription stopped at a dead letter (workers retry
   * that event first) or left 'rebuilding' by a rebuild that is gone (`cleanUp` what it left, in
   * the same transaction); a rebuild still alive goes on.
   */
  async resume(name: string, cleanUp?: (client: PoolClient) => Promise<void>): Promise<void> {
    await this.setPaused(name, false);
    const { status } = await this.get(name);
    if (status === 'stopped') await this.setStatus(name, 'running');
    if (status === 'rebuilding') await endInterruptedRebuild(this.pool, name, cleanUp);
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.pool.query(
      `INSERT INTO projection_controls (projection, paused) VALUES ($1, $2)
       ON CONFLICT (projection) DO UPDATE SET paused = excluded.paused, updated_at = now()`,
      [name, paused],
    );
  }

  async setStatus(name: string, status: SubscriptionStatus, lastError: string | null = null): Promise<void> {
    await this.pool.query(
      `INSERT INTO projection_controls (projection, status, last_error) VALUES ($1, $2, $3)
       ON CONFLICT (projection) DO UPDATE SET status = excluded.status, last_error = excluded.last_error, updated_at = now()`,
      [name, status, lastError],
    );
  }
}
