import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AsyncProjections } from '../projections/async-projections.js';
import { ProjectionWorker } from '../projections/projection-worker.js';
import type { PostgresEventStore } from '../store/postgres-event-store.js';

export interface WorkerSettings {
  /** False in a `web` process: only `worker` and `all` run projections. */
  readonly enabled: boolean;
  readonly pausedProjections?: readonly string[];
}

/** Starts this process's projection worker once every context has registered its projections. */
export class ProjectionWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: ProjectionWorker;
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
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
    this.worker = new ProjectionWorker(this.pool, this.store, projections, {
      pausedByConfig: new Set(this.settings.pausedProjections ?? []),
      log: (message) => this.logger.warn(message),
    });
    await this.worker.start();
    this.logger.log(`worker ${this.worker.workerId} runs ${projections.map((p) => p.name).join(', ')}`);
  }

  /** Before any module's shutdown: the pool cannot end while the worker still holds its connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }
}
