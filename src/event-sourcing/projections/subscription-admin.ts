import type { Pool } from 'pg';
import { domainError } from '../domain/domain-error.js';
import { DeadLetters, unretriedDeadLetters, type DeadLetter } from '../subscriptions/dead-letters.js';
import { SubscriptionControls, type SubscriptionStatus } from '../subscriptions/subscription-controls.js';
import { NO_LAG, subscriptionLags } from '../subscriptions/subscription-lag.js';

export class SubscriptionNotFound extends domainError('not-found', 'SUBSCRIPTION_NOT_FOUND') {}

/** Any consumer of the log as operators see it: a projection, a saga, the relay, a context's own. */
export interface SubscriptionReport {
  readonly name: string;
  readonly status: SubscriptionStatus;
  readonly paused: boolean;
  readonly lastError: string | null;
  readonly partitions: number;
  readonly lagEvents: number;
  readonly lagSeconds: number;
  readonly deadLetters: number;
}

/**
 * Operators' hold on every subscription by name, whatever consumes the log, from any process:
 * the names are those the database has checkpoints for (workers create them as they start a
 * subscription), since a web process or the CLI does not register what only workers run (the
 * relay). The projection and saga admins add what is theirs (replay, rebuild, instances). Here,
 * beside the projection admin that uses it: the subscription engine imports no domain error.
 */
export class SubscriptionAdmin {
  private readonly controls: SubscriptionControls;
  private readonly deadLetters: DeadLetters;

  constructor(private readonly pool: Pool) {
    this.controls = new SubscriptionControls(pool);
    this.deadLetters = new DeadLetters(pool);
  }

  async list(): Promise<SubscriptionReport[]> {
    const { rows } = await this.pool.query<{ name: string }>(`SELECT DISTINCT projection AS name FROM projection_checkpoints ORDER BY projection`);
    return Promise.all(rows.map((row) => this.report(row.name)));
  }

  async report(name: string): Promise<SubscriptionReport> {
    const partitions = await this.require(name);
    const [control, lags, letters] = await Promise.all([
      this.controls.get(name),
      subscriptionLags(this.pool, [name]),
      unretriedDeadLetters(this.pool, [name]),
    ]);
    const lag = lags.get(name) ?? NO_LAG;
    return {
      name,
      status: control.status,
      paused: control.paused,
      lastError: control.lastError,
      partitions,
      lagEvents: lag.events,
      lagSeconds: lag.seconds,
      deadLetters: letters.get(name) ?? 0,
    };
  }

  /** The kill switch: workers hand it no more events, its checkpoints stay where they are. */
  async pause(name: string): Promise<SubscriptionReport> {
    await this.require(name);
    await this.controls.setPaused(name, true);
    return this.report(name);
  }

  /**
   * Lifts the kill switch, and runs again a subscription stopped by a dead letter (that event is
   * retried first) or left 'rebuilding' by a rebuild that is gone.
   */
  async resume(name: string): Promise<SubscriptionReport> {
    await this.require(name);
    await this.controls.resume(name);
    return this.report(name);
  }

  /**
   * A dead letter retried as a subscription with the 'stop' policy retries it (the relay, sagas,
   * a projection that stops): stopped, it runs again from its checkpoint, so from that event, in
   * order; running, it has handled the event since (resumed), so it is only marked retried.
   */
  async retryDeadLetter(letter: DeadLetter): Promise<DeadLetter> {
    if ((await this.controls.get(letter.subscription)).status === 'stopped') await this.controls.setStatus(letter.subscription, 'running');
    await this.deadLetters.markRetried(letter.id);
    return (await this.deadLetters.find(letter.id)) ?? letter;
  }

  /** The subscription's partition count; SUBSCRIPTION_NOT_FOUND when no worker ever ran it here. */
  private async require(name: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM projection_checkpoints WHERE projection = $1`, [name]);
    if (rows[0].n === 0) throw new SubscriptionNotFound(`No subscription named ${name}`, { name });
    return rows[0].n;
  }
}
