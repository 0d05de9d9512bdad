import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { EventStore } from '../store/event-store.js';
import type { AsyncProjection } from './async-projection.js';
import { CheckpointStore } from './checkpoint-store.js';
import { leaseKey } from './lease-key.js';
import { EVENTS_CHANNEL } from './commit-notifier.js';
import { DeadLetters } from './dead-letters.js';
import { PartitionRunner, type StepOutcome } from './partition-runner.js';
import { ProjectionControls } from './projection-controls.js';
import { WakeSignal } from './wake-signal.js';

export interface ProjectionWorkerOptions {
  readonly workerId?: string;
  readonly batchSize?: number;
  /** Fallback when no NOTIFY arrives (a missed one, or a server without LISTEN). */
  readonly pollIntervalMs?: number;
  /** How often the worker shows it is alive and rebalances its partitions. */
  readonly heartbeatMs?: number;
  /** A worker silent for this long no longer counts for the fair share. */
  readonly deadAfterMs?: number;
  readonly pausedByConfig?: ReadonlySet<string>;
  readonly log?: (message: string) => void;
}

interface Slot {
  readonly projection: AsyncProjection;
  readonly partition: number;
  readonly key: string;
}

/**
 * Runs async projections. Each (projection, partition) is a slot; a worker owns a slot
 * while it holds a session advisory lock on its own connection, so a crashed worker's
 * slots free up the moment PostgreSQL sees its connection close, and live workers claim
 * them at their next heartbeat. Workers keep to a fair share of the slots. Checkpoints move
 * only with compare-and-set, so even two workers on one slot never apply an event twice.
 */
export class ProjectionWorker {
  readonly workerId: string;
  private readonly checkpoints: CheckpointStore;
  private readonly controls: ProjectionControls;
  private readonly deadLetters: DeadLetters;
  private readonly wake = new WakeSignal();
  private readonly owned = new Map<string, Promise<void>>();
  private readonly releasing = new Set<string>();
  private readonly slots: Slot[];
  private leaseClient?: PoolClient;
  private listenClient?: PoolClient;
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;
  private readonly log: (message: string) => void;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly projections: readonly AsyncProjection[],
    private readonly options: ProjectionWorkerOptions = {},
  ) {
    this.workerId = options.workerId ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.checkpoints = new CheckpointStore(pool);
    this.controls = new ProjectionControls(pool, options.pausedByConfig);
    this.deadLetters = new DeadLetters(pool);
    this.log = options.log ?? (() => undefined);
    this.slots = projections.flatMap((projection) =>
      Array.from({ length: projection.partitions }, (_, partition) => ({ projection, partition, key: `${projection.name}#${partition}` })),
    );
  }

  /** The slots this worker holds now, as `name#partition`. */
  ownedSlots(): string[] {
    return [...this.owned.keys()].sort();
  }

  async start(): Promise<void> {
    for (const projection of this.projections) await this.checkpoints.ensure(projection.name, projection.partitions);
    this.leaseClient = await this.pool.connect();
    // pg_locks + pg_stat_activity then tell operators which worker holds which slot.
    await this.leaseClient.query(`SELECT set_config('application_name', $1, false)`, [this.workerId.slice(0, 63)]);
    this.listenClient = await this.pool.connect();
    // A checked-out client's errors are its own (the pool only watches idle ones): a server
    // shutting down must not crash the process. Lost leases are re-claimed by the next heartbeat.
    const onError = (error: Error) => this.log(`projection worker ${this.workerId}: connection lost: ${error.message}`);
    this.leaseClient.on('error', onError);
    this.listenClient.on('error', onError);
    this.listenClient.on('notification', () => this.wake.fire());
    await this.listenClient.query(`LISTEN ${EVENTS_CHANNEL}`);
    await this.rebalance();
    const interval = this.options.heartbeatMs ?? 1000;
    this.heartbeat = setInterval(() => {
      this.rebalance().catch((error: unknown) => this.log(`projection worker ${this.workerId}: rebalance failed: ${String(error)}`));
    }, interval);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.wake.fire();
    await Promise.allSettled(this.owned.values());
    this.owned.clear();
    await this.pool.query(`DELETE FROM projection_workers WHERE worker_id = $1`, [this.workerId]).catch(() => undefined);
    await this.listenClient?.query('UNLISTEN *').catch(() => undefined);
    this.listenClient?.release();
    // Releasing the lease connection with its session locks: destroy it rather than pool it.
    this.leaseClient?.release(true);
  }

  /** Wakes every partition loop at once (tests and the in-process EventBus may call it). */
  nudge(): void {
    this.wake.fire();
  }

  private async rebalance(): Promise<void> {
    if (this.stopping || !this.leaseClient) return;
    const lease = this.leaseClient;
    const deadAfter = this.options.deadAfterMs ?? 5000;
    await this.pool.query(
      `INSERT INTO projection_workers (worker_id) VALUES ($1) ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
      [this.workerId],
    );
    const { rows } = await this.pool.query<{ live: number }>(
      `SELECT count(*)::int AS live FROM projection_workers WHERE heartbeat_at > now() - make_interval(secs => $1)`,
      [deadAfter / 1000],
    );
    const share = Math.ceil(this.slots.length / Math.max(1, rows[0].live));
    // Hand back slots above the fair share, so a worker that just started gets some.
    for (const key of this.ownedSlots().slice(share)) this.releasing.add(key);
    // Start the search at a per-worker offset so workers do not all contend for slot 0.
    const offset = leaseKey(this.workerId) >>> 0;
    for (let i = 0; i < this.slots.length && this.owned.size < share && !this.stopping; i++) {
      const slot = this.slots[(offset + i) % this.slots.length];
      if (this.owned.has(slot.key)) continue;
      const { rows: locked } = await lease.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1::int, $2::int) AS ok`, [
        leaseKey(slot.projection.name),
        slot.partition,
      ]);
      if (locked[0].ok) this.owned.set(slot.key, this.run(slot));
    }
  }

  private async run(slot: Slot): Promise<void> {
    const runner = new PartitionRunner(slot.projection, slot.partition, {
      pool: this.pool,
      store: this.store,
      checkpoints: this.checkpoints,
      controls: this.controls,
      deadLetters: this.deadLetters,
      workerId: this.workerId,
      batchSize: this.options.batchSize ?? 500,
      log: this.log,
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
          this.log(`projection ${slot.key}: ${error instanceof Error ? error.message : String(error)}`);
          outcome = 'idle';
        }
        if (outcome !== 'progressed') await this.wake.wait(outcome === 'idle' ? poll : poll * 2, seen);
      }
    } finally {
      this.releasing.delete(slot.key);
      this.owned.delete(slot.key);
      if (!this.stopping) {
        await this.leaseClient
          ?.query(`SELECT pg_advisory_unlock($1::int, $2::int)`, [leaseKey(slot.projection.name), slot.partition])
          .catch(() => undefined);
      }
    }
  }
}
