import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { checkOutSession } from '../store/check-out-client.js';
import { compareLogCursors, encodeLogCursor, type LogCursor } from '../store/log-cursor.js';
import { CheckpointStore } from './checkpoint-store.js';
import { EVENTS_CHANNEL } from './commit-notifier.js';
import { DeadLetters } from './dead-letters.js';
import { leaseKey } from './lease-key.js';
import { PartitionRunner, type GatheredStep, type PartitionPeers, type StepOutcome } from './partition-runner.js';
import { StepGathering } from './step-gathering.js';
import type { Subscription } from './subscription.js';
import { SubscriptionControls } from './subscription-controls.js';
import type { SubscriptionLog } from './subscription-log.js';
import { WakeSignal } from './wake-signal.js';

export interface SubscriptionWorkerOptions {
  readonly workerId?: string;
  readonly batchSize?: number;
  /** Fallback when no NOTIFY arrives (a missed one, or a server without LISTEN). */
  readonly pollIntervalMs?: number;
  /** How often the worker rebalances its partitions (and claims a crashed worker's). */
  readonly heartbeatMs?: number;
  readonly pausedByConfig?: ReadonlySet<string>;
  readonly log?: (message: string) => void;
}

const FENCE_RETRY_WINDOW_MS = 2000;
const FENCE_RETRY_MS = 100;

interface Slot {
  readonly subscription: Subscription;
  readonly partition: number;
  readonly key: string;
}

/**
 * Runs subscriptions. Each (subscription, partition) is a slot; a worker owns a slot
 * while it holds a session advisory lock on its own connection, so a crashed worker's
 * slots free up the moment PostgreSQL sees its connection close, and live workers claim
 * them at their next heartbeat. Workers keep to a fair share of the slots. Checkpoints move
 * only with compare-and-set, so even two workers on one slot never apply an event twice.
 */
export class SubscriptionWorker {
  readonly workerId: string;
  private readonly checkpoints: CheckpointStore;
  private readonly controls: SubscriptionControls;
  private readonly deadLetters: DeadLetters;
  private readonly wake = new WakeSignal();
  private readonly owned = new Map<string, Promise<void>>();
  private readonly releasing = new Set<string>();
  private readonly slots: Slot[];
  /** Slot key → where its current step starts. */
  private readonly standing = new Map<string, LogCursor>();
  /** Subscription name → its partitions' steps ready to commit together. */
  private readonly gatherings = new Map<string, StepGathering<GatheredStep>>();
  private leaseClient?: PoolClient;
  /** Settles when the statements sent to the lease connection so far have (see `onLease`). */
  private leaseTurn: Promise<unknown> = Promise.resolve();
  private listenClient?: PoolClient;
  private heartbeat?: NodeJS.Timeout;
  private rebalancing?: Promise<void>;
  private leaseGeneration = 0;
  private lastWake = 0;
  private stopping = false;
  /** When the last heartbeat round got through (its lease connection and the database answered). */
  private lastHeartbeatAt = 0;
  private readonly log: (message: string) => void;

  constructor(
    private readonly pool: Pool,
    private readonly reader: SubscriptionLog,
    private readonly subscriptions: readonly Subscription[],
    private readonly options: SubscriptionWorkerOptions = {},
  ) {
    this.workerId = options.workerId ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.checkpoints = new CheckpointStore(pool);
    this.controls = new SubscriptionControls(pool, options.pausedByConfig);
    this.deadLetters = new DeadLetters(pool);
    this.log = options.log ?? (() => undefined);
    // Checkpoints, leases and dead letters are keyed by name: two of a name would share them.
    const named = subscriptions.map((s) => s.name).find((name, i, names) => names.indexOf(name) !== i);
    if (named !== undefined) throw new Error(`Two subscriptions are named "${named}"`);
    this.slots = subscriptions.flatMap((subscription) =>
      Array.from({ length: subscription.partitions }, (_, partition) => ({ subscription, partition, key: `${subscription.name}#${partition}` })),
    );
  }

  /**
   * Whether this worker holds its leases: its lease connection is open and its heartbeat got
   * through within three intervals (a worker that cannot reach the database stops claiming,
   * and its slots pass to others when its connection drops).
   */
  holdsLeases(): boolean {
    const interval = this.options.heartbeatMs ?? 1000;
    return !this.stopping && this.leaseClient !== undefined && Date.now() - this.lastHeartbeatAt <= 3 * interval;
  }

  /** The slots this worker holds now, as `name#partition`. */
  ownedSlots(): string[] {
    return [...this.owned.keys()].sort();
  }

  async start(): Promise<void> {
    for (const subscription of this.subscriptions) await this.checkpoints.ensure(subscription.name, subscription.partitions);
    await this.rebalance();
    const interval = this.options.heartbeatMs ?? 1000;
    this.heartbeat = setInterval(() => {
      if (this.rebalancing) return; // the previous round is still claiming
      this.rebalancing = this.rebalance()
        .catch((error: unknown) => this.log(`subscription worker ${this.workerId}: rebalance failed: ${String(error)}`))
        .finally(() => (this.rebalancing = undefined));
    }, interval);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.rebalancing;
    this.wake.fire();
    await Promise.allSettled(this.owned.values());
    this.owned.clear();
    await this.pool.query(`DELETE FROM projection_workers WHERE worker_id = $1`, [this.workerId]).catch(() => undefined);
    const { listenClient, leaseClient } = this;
    this.listenClient = this.leaseClient = undefined;
    await listenClient?.query('UNLISTEN *').catch(() => undefined);
    listenClient?.release();
    // Releasing the lease connection with its session locks: destroy it rather than pool it.
    leaseClient?.release(true);
  }

  /** Wakes every partition loop at once (tests and the in-process EventBus may call it). */
  nudge(): void {
    this.wake.fire();
  }

  /**
   * The lease connection holds this worker's slots (its session advisory locks, named after
   * the worker so operators and other workers can see it). If it drops, the locks are gone
   * with it: every loop stops after its current step (a step in flight is still safe: the
   * checkpoint moves only by compare-and-set) and the next heartbeat reconnects and claims again.
   */
  private connectLease(): Promise<PoolClient> {
    return checkOutSession(this.pool, (client) => {
      client.on('error', (error: Error) => this.leaseLost(client, error.message));
      client.on('end', () => this.leaseLost(client, 'ended'));
      return client.query(`SELECT set_config('application_name', $1, false)`, [this.workerId]);
    });
  }

  private leaseLost(client: PoolClient, reason: string): void {
    if (this.stopping || this.leaseClient !== client) return;
    this.log(`subscription worker ${this.workerId}: lease connection lost (${reason}); releasing its slots`);
    this.leaseClient = undefined;
    this.leaseGeneration++;
    for (const key of this.owned.keys()) this.releasing.add(key);
    this.wake.fire();
    client.release(true);
  }

  private connectListen(): Promise<PoolClient> {
    return checkOutSession(this.pool, (client) => {
      client.on('error', (error: Error) => this.listenLost(client, error.message));
      client.on('end', () => this.listenLost(client, 'ended'));
      client.on('notification', () => {
        this.lastWake = Date.now();
        this.wake.fire();
      });
      return client.query(`LISTEN ${EVENTS_CHANNEL}`);
    });
  }

  private listenLost(client: PoolClient, reason: string): void {
    if (this.stopping || this.listenClient !== client) return;
    this.log(`subscription worker ${this.workerId}: LISTEN connection lost (${reason}); polling until it is back`);
    this.listenClient = undefined;
    client.release(true);
  }

  private async rebalance(): Promise<void> {
    if (this.stopping) return;
    this.leaseClient ??= await this.connectLease();
    this.listenClient ??= await this.connectListen().catch(() => undefined);
    const lease = this.leaseClient;
    const generation = this.leaseGeneration;
    await this.pool.query(
      `INSERT INTO projection_workers (worker_id) VALUES ($1) ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
      [this.workerId],
    );
    // A worker is live while its lease connection is: a crashed one stops counting at once,
    // so the survivors take its slots at their next heartbeat. (The heartbeat only tidies up.)
    const { rows } = await this.pool.query<{ live: number }>(
      `SELECT count(*)::int AS live FROM projection_workers w
       WHERE EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = w.worker_id AND a.datname = current_database())`,
    );
    this.lastHeartbeatAt = Date.now();
    const share = Math.ceil(this.slots.length / Math.max(1, rows[0].live));
    // Hand back slots above the fair share, so a worker that just started gets some.
    for (const key of this.ownedSlots().slice(share)) this.releasing.add(key);
    // Start the search at a per-worker offset so workers do not all contend for slot 0.
    const offset = leaseKey(this.workerId) >>> 0;
    for (let i = 0; i < this.slots.length && this.owned.size < share && !this.stopping; i++) {
      const slot = this.slots[(offset + i) % this.slots.length];
      if (this.owned.has(slot.key) || generation !== this.leaseGeneration) continue;
      const { rows: locked } = await this.onLease<{ ok: boolean }>(lease, `SELECT pg_try_advisory_lock($1::int, $2::int) AS ok`, [
        leaseKey(slot.subscription.name),
        slot.partition,
      ]);
      if (locked[0].ok) this.owned.set(slot.key, this.run(slot, generation));
    }
  }

  /**
   * A statement on the lease connection, sent once those before it have settled: the heartbeat
   * claims slots on it while partition loops give theirs up, and a pg client must not be sent a
   * statement while it runs another (pg 8 queues it with a deprecation warning; pg 9 refuses it).
   */
  private onLease<R extends QueryResultRow>(lease: PoolClient, text: string, values: unknown[]): Promise<QueryResult<R>> {
    const result = this.leaseTurn.then(() => lease.query<R>(text, values));
    this.leaseTurn = result.catch(() => undefined);
    return result;
  }

  /** This worker's partitions of `subscription`, by where their current steps start: they share reads. */
  private peersOf(subscription: Subscription): PartitionPeers {
    const slots = this.slots.filter((slot) => slot.subscription === subscription);
    // At most half of them in one transaction: two in flight, so PostgreSQL runs one's
    // statements while this process prepares the other's. Two partitions or one: no groups.
    const most = Math.ceil(subscription.partitions / 2);
    let gathering = this.gatherings.get(subscription.name);
    if (!gathering && most > 1) {
      gathering = new StepGathering<GatheredStep>((steps) => steps[0].commitAll(steps), most);
      this.gatherings.set(subscription.name, gathering);
    }
    const steps = gathering;
    return {
      ...(steps && { gather: (step: GatheredStep) => steps.join(`${encodeLogCursor(step.from)}>${encodeLogCursor(step.to)}`, step) }),
      standAt: (partition, cursor) => this.standing.set(`${subscription.name}#${partition}`, cursor),
      before: (after) =>
        slots
          .filter((slot) => {
            const at = this.standing.get(slot.key);
            return at !== undefined && this.owned.has(slot.key) && !this.releasing.has(slot.key) && compareLogCursors(at, after) <= 0;
          })
          .map((slot) => slot.partition),
    };
  }

  private async run(slot: Slot, generation: number): Promise<void> {
    const runner = new PartitionRunner(slot.subscription, slot.partition, {
      pool: this.pool,
      reader: this.reader,
      checkpoints: this.checkpoints,
      controls: this.controls,
      deadLetters: this.deadLetters,
      workerId: this.workerId,
      batchSize: this.options.batchSize ?? 500,
      log: this.log,
      peers: this.peersOf(slot.subscription),
    });
    const poll = this.options.pollIntervalMs ?? 1000;
    try {
      while (!this.stopping && !this.releasing.has(slot.key)) {
        let outcome: StepOutcome;
        // Taken before the step reads the log: a NOTIFY during the step then cuts the sleep short.
        const seen = this.wake.mark();
        try {
          outcome = await runner.step();
        } catch (error) {
          this.log(`subscription ${slot.key}: ${error instanceof Error ? error.message : String(error)}`);
          outcome = 'idle';
        }
        // Right after a NOTIFY, poll briefly: the event may still sit behind the read fence
        // (an open transaction anywhere on the server), and no second NOTIFY will come for it.
        const sinceWake = Date.now() - this.lastWake;
        const wait = outcome === 'idle' ? (sinceWake < FENCE_RETRY_WINDOW_MS ? Math.min(poll, FENCE_RETRY_MS) : poll) : poll * 2;
        if (outcome !== 'progressed') await this.wake.wait(wait, seen);
      }
    } finally {
      // Unlock before giving the slot up, and only on the connection that locked it: a lost
      // lease took its locks along, and the slot may be held again on a new connection.
      if (!this.stopping && generation === this.leaseGeneration) {
        const lease = this.leaseClient;
        if (lease) {
          await this.onLease(lease, `SELECT pg_advisory_unlock($1::int, $2::int)`, [
            leaseKey(slot.subscription.name),
            slot.partition,
          ]).catch(() => undefined);
        }
      }
      this.releasing.delete(slot.key);
      this.owned.delete(slot.key);
      this.standing.delete(slot.key);
    }
  }
}
