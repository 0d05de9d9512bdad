import type { Pool } from 'pg';
import { domainError } from '../domain/domain-error.js';
import { DeadLetterNotFound } from '../projections/projection-admin.errors.js';
import { CheckpointStore } from '../subscriptions/checkpoint-store.js';
import { DeadLetters, unretriedDeadLetters, type DeadLetter } from '../subscriptions/dead-letters.js';
import { SubscriptionControls, type SubscriptionStatus } from '../subscriptions/subscription-controls.js';
import { NO_LAG, subscriptionLags } from '../subscriptions/subscription-lag.js';
import { sagaSubscriptionName } from './saga-subscription.js';
import type { Sagas } from './sagas.js';

export class SagaNotFound extends domainError('not-found', 'SAGA_NOT_FOUND') {}

/**
 * A saga as a consumer of the log, as operators see it beside the projections: its kill switch,
 * its status ('stopped' at a dead letter), how far behind the log it is, and its instances.
 */
export interface SagaReport {
  readonly name: string;
  /** The subscription's name: its checkpoint, kill switch and dead letters go by it. */
  readonly subscription: string;
  readonly handles: readonly string[];
  readonly status: SubscriptionStatus;
  readonly paused: boolean;
  readonly lastError: string | null;
  readonly lagEvents: number;
  readonly lagSeconds: number;
  readonly deadLetters: number;
  readonly activeInstances: number;
}

/** A saga's dead letter, as the admin API shows every dead letter: the subscription named `projection`. */
export type SagaDeadLetter = Omit<DeadLetter, 'subscription'> & { readonly projection: string };

/** A saga instance as operators see it: where it stands and what it waits for. */
export interface SagaInstanceView {
  readonly saga: string;
  readonly tenantId: string;
  readonly key: string;
  readonly status: 'active' | 'done';
  readonly state: unknown;
  readonly version: number;
  readonly correlationId: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly deadlines: readonly { readonly name: string; readonly dueAt: string }[];
}

export interface SagaInstanceFilter {
  readonly status?: 'active' | 'done';
  readonly saga?: string;
  readonly limit: number;
}

interface InstanceRow {
  readonly saga: string;
  readonly tenant_id: string;
  readonly instance_key: string;
  readonly state: unknown;
  readonly done: boolean;
  readonly version: number;
  readonly correlation_id: string;
  readonly started_at: Date;
  readonly updated_at: Date;
  readonly deadlines: { name: string; due_at: string }[];
}

/**
 * Operators' view of sagas: their instances across tenants (most recently moved first, with
 * their pending deadlines), and each saga's subscription: lag, pause and resume, dead letters.
 */
export class SagaAdmin {
  private readonly checkpoints: CheckpointStore;
  private readonly controls: SubscriptionControls;
  private readonly deadLetters: DeadLetters;

  constructor(
    private readonly pool: Pool,
    private readonly sagas: Sagas,
  ) {
    this.checkpoints = new CheckpointStore(pool);
    this.controls = new SubscriptionControls(pool);
    this.deadLetters = new DeadLetters(pool);
  }

  async list({ status, saga, limit }: SagaInstanceFilter): Promise<SagaInstanceView[]> {
    const { rows } = await this.pool.query<InstanceRow>(
      `SELECT i.*, coalesce(
         (SELECT json_agg(json_build_object('name', d.name, 'due_at', d.due_at) ORDER BY d.due_at) FROM saga_deadlines d
          WHERE d.saga = i.saga AND d.tenant_id = i.tenant_id AND d.instance_key = i.instance_key), '[]') AS deadlines
       FROM saga_instances i
       WHERE ($1::boolean IS NULL OR i.done = $1) AND ($2::text IS NULL OR i.saga = $2)
       ORDER BY i.updated_at DESC, i.saga, i.tenant_id, i.instance_key
       LIMIT $3`,
      [status === undefined ? null : status === 'done', saga ?? null, limit],
    );
    return rows.map((row) => ({
      saga: row.saga,
      tenantId: row.tenant_id,
      key: row.instance_key,
      status: row.done ? 'done' : 'active',
      state: row.state,
      version: row.version,
      correlationId: row.correlation_id,
      startedAt: row.started_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      deadlines: row.deadlines.map((d) => ({ name: d.name, dueAt: new Date(d.due_at).toISOString() })),
    }));
  }

  /** Every registered saga's subscription, in the order they were registered. */
  async reports(): Promise<SagaReport[]> {
    return Promise.all(this.sagas.all().map((saga) => this.report(saga.name)));
  }

  async report(name: string): Promise<SagaReport> {
    const saga = this.require(name);
    const subscription = sagaSubscriptionName(saga.name);
    // A saga runs one partition: the log's order decides which of an instance's streams came first.
    await this.checkpoints.ensure(subscription, 1);
    const [control, lags, letters, instances] = await Promise.all([
      this.controls.get(subscription),
      subscriptionLags(this.pool, [subscription]),
      unretriedDeadLetters(this.pool, [subscription]),
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM saga_instances WHERE saga = $1 AND NOT done`, [saga.name]),
    ]);
    const lag = lags.get(subscription) ?? NO_LAG;
    return {
      name: saga.name,
      subscription,
      handles: saga.handles,
      status: control.status,
      paused: control.paused,
      lastError: control.lastError,
      lagEvents: lag.events,
      lagSeconds: lag.seconds,
      deadLetters: letters.get(subscription) ?? 0,
      activeInstances: instances.rows[0].n,
    };
  }

  /**
   * The kill switch of the saga's subscription: workers hand it no more events, its checkpoint
   * stays where it is. Deadlines still fire and commands already decided are still sent.
   */
  async pause(name: string): Promise<SagaReport> {
    await this.controls.setPaused(sagaSubscriptionName(this.require(name).name), true);
    return this.report(name);
  }

  /** Lifts the kill switch, and restarts a saga stopped by a dead letter (it retries that event first). */
  async resume(name: string): Promise<SagaReport> {
    const subscription = sagaSubscriptionName(this.require(name).name);
    await this.controls.setPaused(subscription, false);
    if ((await this.controls.get(subscription)).status === 'stopped') await this.controls.setStatus(subscription, 'running');
    return this.report(name);
  }

  /**
   * A saga's dead letter, retried: a saga stops at the event it could not handle (its error
   * policy is 'stop'), so running it again retries that event first, in order.
   */
  async retryDeadLetter(id: number): Promise<SagaDeadLetter> {
    const letter = await this.deadLetters.find(id);
    const saga = letter && this.sagas.all().find((s) => sagaSubscriptionName(s.name) === letter.subscription);
    if (!letter || !saga) throw new DeadLetterNotFound(id);
    if ((await this.controls.get(letter.subscription)).status === 'stopped') await this.controls.setStatus(letter.subscription, 'running');
    await this.deadLetters.markRetried(id);
    const { subscription, ...retried } = (await this.deadLetters.find(id)) ?? letter;
    return { ...retried, projection: subscription };
  }

  private require(name: string) {
    const saga = this.sagas.all().find((s) => s.name === name);
    if (!saga) throw new SagaNotFound(`No saga named ${name}`, { name });
    return saga;
  }
}
