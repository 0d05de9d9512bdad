import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AsyncProjections } from '../projections/async-projections.js';
import type { SubscriptionLog } from '../subscriptions/subscription-log.js';
import { ProjectionWorker } from '../projections/projection-worker.js';
import { ReactorRunner } from '../projections/reactor-runner.js';
import type { PostgresEventStore } from '../store/postgres-event-store.js';

export interface WorkerSettings {
  /** False in a `web` process: only `worker` and `all` run projections. */
  readonly enabled: boolean;
  readonly pausedProjections?: readonly string[];
}

/** Starts this process's projection worker once every context has registered its projections. */
export class ProjectionWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: ProjectionWorker;
  private reactors?: ReactorRunner;
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly reader: SubscriptionLog,
    private readonly projections: AsyncProjections,
    private readonly settings: WorkerSettings,
  ) {}

  /** The running worker, if this process runs one. */
  get current(): ProjectionWorker | undefined {
    return this.worker;
  }

  async onApplicationBootstrap(): Promise<void> {
    const projections = this.projections.all();
    if (!this.settings.enabled || projections.length === 0) return;
    const pausedByConfig = new Set(this.settings.pausedProjections ?? []);
    const log = (message: string) => this.logger.warn(message);
    this.worker = new ProjectionWorker(this.pool, this.reader, projections, { pausedByConfig, log });
    await this.worker.start();
    this.reactors = new ReactorRunner(this.pool, this.store, this.projections.reactors(), { pausedByConfig, log });
    this.reactors.start();
    this.logger.log(`worker ${this.worker.workerId} runs ${projections.map((p) => p.name).join(', ')}`);
  }

  /** Before any module's shutdown: the pool cannot end while the worker still holds its connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.reactors?.stop();
    await this.worker?.stop();
  }
}
