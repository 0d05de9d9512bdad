import type { Pool } from 'pg';
import { isDatabaseStalled } from '../store/database-unavailable.js';
import type { EventStore } from '../store/event-store.js';
import { SubscriptionControls } from '../subscriptions/subscription-controls.js';
import type { Reactor } from './reactor.js';
import { WakeSignal } from '../subscriptions/wake-signal.js';

const CLAIM = 20;
/** A claimed job is invisible this long; a worker that died mid-job lets it run again after. */
const VISIBILITY_S = 30;

interface ClaimedJob {
  id: string;
  event_id: string;
  attempts: number;
}

/**
 * Runs due reactor jobs: claims a few with SKIP LOCKED (any number of workers can share the
 * queue), reacts, and marks them done; a failure is retried with backoff until the reactor's
 * attempts are spent, then kept as failed with its error. At-least-once: a side effect must
 * tolerate a repeat after a crash. Each reactor has a kill switch of its own, by its name.
 */
export class ReactorRunner {
  private readonly wake = new WakeSignal();
  private readonly controls: SubscriptionControls;
  private loops: Promise<void>[] = [];
  private stopping = false;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly reactors: readonly Reactor[],
    private readonly options: { pollIntervalMs?: number; pausedByConfig?: ReadonlySet<string>; log?: (m: string) => void } = {},
  ) {
    this.controls = new SubscriptionControls(pool, options.pausedByConfig);
  }

  start(): void {
    this.loops = this.reactors.map((reactor) => this.loop(reactor));
  }

  nudge(): void {
    this.wake.fire();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.fire();
    await Promise.allSettled(this.loops);
  }

  /** Runs the due jobs of one reactor once; returns how many it took. */
  async runDue(reactor: Reactor): Promise<number> {
    if ((await this.controls.get(reactor.name)).paused) return 0;
    const { rows } = await this.pool.query<ClaimedJob>(
      `UPDATE reactor_jobs SET attempts = attempts + 1, due_at = now() + make_interval(secs => $3)
       WHERE id IN (
         SELECT id FROM reactor_jobs
         WHERE reactor = $1 AND done_at IS NULL AND failed_at IS NULL AND due_at <= now()
         ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, event_id, attempts`,
      [reactor.name, CLAIM, VISIBILITY_S],
    );
    for (const job of rows) await this.runJob(reactor, job);
    return rows.length;
  }

  private async runJob(reactor: Reactor, job: ClaimedJob): Promise<void> {
    try {
      const event = await this.store.findEvent(job.event_id);
      if (event) await reactor.react(event);
      await this.pool.query(`UPDATE reactor_jobs SET done_at = now(), last_error = NULL WHERE id = $1`, [job.id]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // PostgreSQL gone or too slow is not the job's fault: its claim's attempt is given back.
      const stalled = isDatabaseStalled(error);
      const spent = !stalled && job.attempts >= (reactor.maxAttempts ?? 5);
      this.options.log?.(`reactor ${reactor.name}: job ${job.id} failed (attempt ${job.attempts}): ${message}`);
      await this.pool.query(
        `UPDATE reactor_jobs SET last_error = $2, failed_at = CASE WHEN $3 THEN now() END,
                attempts = attempts - CASE WHEN $5 THEN 1 ELSE 0 END,
                due_at = now() + make_interval(secs => $4) WHERE id = $1`,
        [job.id, message, spent, 0.1 * 2 ** job.attempts, stalled],
      );
    }
  }

  private async loop(reactor: Reactor): Promise<void> {
    while (!this.stopping) {
      let taken = 0;
      try {
        taken = await this.runDue(reactor);
      } catch (error) {
        this.options.log?.(`reactor ${reactor.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (taken === 0) await this.wake.wait(this.options.pollIntervalMs ?? 500);
    }
  }
}
