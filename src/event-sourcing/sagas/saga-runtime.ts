import type { Pool } from 'pg';
import type { AggregateCatalog } from '../aggregates/aggregate-catalog.js';
import type { AggregateRepository } from '../aggregates/aggregate-repository.js';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { AnySaga } from './saga.js';
import { SagaCommandDispatcher } from './saga-command-dispatcher.js';
import { SagaDeadlines } from './saga-deadlines.js';
import type { SagaCommandIds } from './saga-step.js';
import { sagaSubscription } from './saga-subscription.js';
import { PollingLoop } from './polling-loop.js';

export interface SagaRuntimeOptions {
  readonly commandPollMs?: number;
  /** How long a claimed outbox command is one sender's before another sends it again (default 30). */
  readonly commandClaimSeconds?: number;
  readonly deadlinePollMs?: number;
  readonly log?: (message: string) => void;
  /** Its commands' ids (the app's: keyed with the database's secret, CommandIds); name-based UUIDs by default. */
  readonly commandIdOf?: SagaCommandIds;
}

/**
 * Everything that runs sagas in a worker: their subscriptions (handed to the subscription
 * worker, which leases and checkpoints them), the outbox's sender and the deadline poller, each
 * polling and woken at once when a saga step commits.
 */
export class SagaRuntime {
  readonly dispatcher: SagaCommandDispatcher;
  readonly deadlines: SagaDeadlines;
  /** The outbox sender's loop; a test may stop it to hold commands back. */
  readonly sending: PollingLoop;
  private readonly firing: PollingLoop;

  constructor(
    private readonly store: PostgresEventStore,
    pool: Pool,
    repository: AggregateRepository,
    catalog: AggregateCatalog,
    private readonly sagas: readonly AnySaga[],
    private readonly options: SagaRuntimeOptions = {},
  ) {
    const claimSeconds = options.commandClaimSeconds;
    const { log, commandIdOf } = options;
    this.dispatcher = new SagaCommandDispatcher(pool, store, repository, catalog, sagas, { claimSeconds, log, commandIdOf });
    this.deadlines = new SagaDeadlines(pool, store, sagas, { log, commandIdOf });
    this.sending = new PollingLoop(() => this.dispatcher.dispatchOnce(), options.commandPollMs ?? 100, options.log);
    this.firing = new PollingLoop(() => this.deadlines.fireDue(), options.deadlinePollMs ?? 250, options.log);
  }

  subscriptions(): Subscription[] {
    // Whatever a batch's steps wrote, this process's sender and poller look at once.
    const committed = () => {
      this.sending.wake();
      this.firing.wake();
    };
    return this.sagas.map((saga) => sagaSubscription(saga, this.store, committed, this.options.commandIdOf));
  }

  start(): void {
    this.sending.start();
    this.firing.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.sending.stop(), this.firing.stop()]);
  }
}
