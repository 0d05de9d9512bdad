import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AsyncProjections } from '../projections/async-projections.js';
import { ReactorRunner } from '../projections/reactor-runner.js';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import type { SubscriptionLog } from '../subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../subscriptions/subscription-worker.js';
import type { AggregateCatalog } from '../aggregates/aggregate-catalog.js';
import type { AggregateRepository } from '../aggregates/aggregate-repository.js';
import { SagaRuntime } from '../sagas/saga-runtime.js';
import type { Sagas } from '../sagas/sagas.js';
import type { CommandIds } from '../aggregates/command-ids.js';

export interface WorkerSettings {
  /** False in a `web` process: only `worker` and `all` run subscriptions. */
  readonly enabled: boolean;
  /** Subscriptions and reactors paused by configuration, by name, whatever the admin API says. */
  readonly paused?: readonly string[];
}

/** What the host needs to run sagas: they send their commands through the aggregates' repository. */
export interface SagaSupport {
  readonly sagas: Sagas;
  readonly repository: AggregateRepository;
  readonly catalog: AggregateCatalog;
  /** Keys the sagas' command ids, as the HTTP commands' (no one can compute them and append first). */
  readonly commandIds: CommandIds;
}

/** Starts this process's subscription worker once every context has registered its projections. */
export class SubscriptionWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: SubscriptionWorker;
  private reactors?: ReactorRunner;
  private sagaRuntime?: SagaRuntime;
  private readonly logger = new Logger('Subscriptions');

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly reader: SubscriptionLog,
    private readonly projections: AsyncProjections,
    private readonly settings: WorkerSettings,
    private readonly sagaSupport?: SagaSupport,
  ) {}

  /** The running worker, if this process runs one. */
  get current(): SubscriptionWorker | undefined {
    return this.worker;
  }

  async onApplicationBootstrap(): Promise<void> {
    const log = (message: string) => this.logger.warn(message);
    const sagas = this.sagaSupport?.sagas.all() ?? [];
    if (this.sagaSupport && sagas.length > 0) {
      const { repository, catalog, commandIds } = this.sagaSupport;
      this.sagaRuntime = new SagaRuntime(this.store, this.pool, repository, catalog, sagas, { log, commandIdOf: (name) => commandIds.uuidOf(name) });
    }
    const subscriptions = [...this.projections.subscriptions(), ...(this.sagaRuntime?.subscriptions() ?? [])];
    if (!this.settings.enabled || subscriptions.length === 0) return;
    const pausedByConfig = new Set(this.settings.paused ?? []);
    this.worker = new SubscriptionWorker(this.pool, this.reader, subscriptions, { pausedByConfig, log });
    await this.worker.start();
    this.reactors = new ReactorRunner(this.pool, this.store, this.projections.reactors(), { pausedByConfig, log });
    this.reactors.start();
    this.sagaRuntime?.start();
    this.logger.log(`worker ${this.worker.workerId} runs ${subscriptions.map((s) => s.name).join(', ')}`);
  }

  /** Before any module's shutdown: the pool cannot end while the worker still holds its connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.sagaRuntime?.stop();
    await this.reactors?.stop();
    await this.worker?.stop();
  }
}
