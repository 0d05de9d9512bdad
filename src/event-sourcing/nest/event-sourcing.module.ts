import {
  Global,
  Inject,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type InjectionToken,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EventBus } from '@nestjs/cqrs';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { AggregateCatalog } from '../aggregates/aggregate-catalog.js';
import { AggregateRepository } from '../aggregates/aggregate-repository.js';
import { InlineProjections } from '../aggregates/inline-projections.js';
import { SnapshotStore } from '../aggregates/snapshot-store.js';
import { AsyncProjections } from '../projections/async-projections.js';
import { CommitNotifier } from '../subscriptions/commit-notifier.js';
import { ProjectionAdmin } from '../projections/projection-admin.js';
import { SubscriptionAdmin } from '../projections/subscription-admin.js';
import { PostgresSubscriptionLog } from '../subscriptions/subscription-log.js';
import { SubscriptionWorkerHost, type WorkerSettings } from './subscription-worker.host.js';
import type { AppendGroupOptions } from '../store/append-group.js';
import { EventRegistry } from '../store/event-registry.js';
import { PostgresEventStore } from '../store/postgres-event-store.js';
import { EventRecorded } from './event-recorded.js';
import { ExecuteAggregateCommandHandler } from './execute-aggregate-command.js';
import { CommandSender } from './command-sender.js';
import { handRequestsTheSender } from './commands.js';
import type { AnyAggregate } from '../aggregates/aggregate.js';
import { registerAggregate } from '../aggregates/register-aggregate.js';
import type { AsyncProjection } from '../projections/async-projection.js';
import { CommandIds } from '../aggregates/command-ids.js';
import { IdempotencyGuard } from './idempotency.guard.js';
import { IdempotencyKeys } from './idempotency-keys.js';
import { storeIdempotentAnswers } from './idempotent-answers.js';
import type { AnySaga } from '../sagas/saga.js';
import { Sagas } from '../sagas/sagas.js';
import { InboxFailures } from '../inbox/inbox-failures.js';
import { SagaAdmin } from '../sagas/saga-admin.js';
import { SagaOutbox } from '../sagas/saga-outbox.js';
import { CorrelationChains } from '../sagas/correlation-chain.js';
import { sagaSteppedType } from '../sagas/saga-stream.js';
import { registerEventSourcingMetrics } from '../metrics/event-sourcing-metrics.js';
import { WriteMetrics } from '../metrics/write-metrics.js';
import { EVENT_STORE, PG_POOL_TOKEN } from './event-sourcing.tokens.js';
import { KeyWrapping } from '../personal-data/key-wrapping.js';
import { PersonalData } from '../personal-data/personal-data.js';
import { PostgresSubjectKeys } from '../personal-data/postgres-subject-keys.js';
import { SubjectForgetting } from '../personal-data/subject-forgetting.js';

export interface EventSourcingModuleOptions {
  /** The token of the pg `Pool` the store writes through; the app provides it. */
  readonly pool: InjectionToken;
  /** Whether this process runs subscriptions (ROLE worker or all), and which are paused by config. */
  readonly workers: WorkerSettings;
  /** How many aggregates' states the repository remembers after writing them (0: always load). */
  readonly rememberedAggregates?: number;
  /** Group commit of commands' appends (default: `DEFAULT_APPEND_GROUP`). */
  readonly appendGroup?: AppendGroupOptions;
  /** How long an Idempotency-Key is remembered (default 24 hours). */
  readonly idempotencyKeyTtlHours?: number;
  /**
   * Where the core registers its metrics (the app's, one per app instance, which it serves);
   * omitted, they are kept in a registry of their own that nobody reads.
   */
  readonly metrics?: Registry;
  /** The master key (32 bytes) wrapping subjects' data keys: personal fields are sealed under them. */
  readonly keyEncryptionKey: Buffer;
}

/** What a bounded context brings: its aggregates (each defined once), its async projections and its sagas. */
export interface EventSourcingFeature {
  readonly aggregates?: readonly AnyAggregate[];
  readonly asyncProjections?: readonly AsyncProjection[];
  readonly sagas?: readonly AnySaga[];
}

/** The module `forFeature` returns; one per context, told apart by their providers. */
@Module({})
class EventSourcingFeatureModule {}

/**
 * The core's Nest face: the `EventRegistry`, `InlineProjections` and `AggregateCatalog`
 * bounded contexts register into, the event store behind `EVENT_STORE`, and the `AggregateRepository`.
 */
@Global()
@Module({})
export class EventSourcingModule implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');

  constructor(
    @Inject(PostgresSubjectKeys) private readonly subjectKeys: PostgresSubjectKeys,
    @Inject(ProjectionAdmin) private readonly projectionAdmin: ProjectionAdmin,
    @Inject(CommandSender) private readonly sender: CommandSender,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(IdempotencyKeys) private readonly idempotencyKeys: IdempotencyKeys,
  ) {}

  /** Before the app listens: Fastify takes request decorations and hooks only until it is ready. */
  onModuleInit(): void {
    // The CLI builds the app without an HTTP server: there are no requests to hand it to.
    const http = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | null;
    if (!http) return;
    const fastify = http.getInstance<FastifyInstance>();
    handRequestsTheSender(fastify, this.sender);
    storeIdempotentAnswers(fastify, this.idempotencyKeys);
  }

  /**
   * Once every context has registered its projections: what rebuilds ended by a process that is
   * gone left behind (a status 'rebuilding' holding the workers back, shadow tables) is cleared.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const ended = await this.projectionAdmin.endInterruptedRebuilds();
      if (ended.length > 0) this.logger.warn(`interrupted rebuilds cleaned up (the projections run from their checkpoints): ${ended.join(', ')}`);
    } catch (error) {
      // Workers end such a status anyway; the next start-up or rebuild drops the tables.
      this.logger.warn(`could not look for interrupted rebuilds: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Before the pool closes: the keys' LISTEN connection is one of its clients; a rebuild under way must set its status back and drop its tables. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.projectionAdmin.stop();
    await this.subjectKeys.stop();
  }

  static forRoot(options: EventSourcingModuleOptions): DynamicModule {
    return {
      module: EventSourcingModule,
      providers: [
        ExecuteAggregateCommandHandler,
        CommandSender,
        {
          provide: IdempotencyKeys,
          inject: [PG_POOL_TOKEN],
          useFactory: (pool: Pool) => new IdempotencyKeys(pool, options.idempotencyKeyTtlHours ?? 24),
        },
        IdempotencyGuard,
        { provide: PG_POOL_TOKEN, useExisting: options.pool },
        { provide: CommandIds, inject: [PG_POOL_TOKEN], useFactory: (pool: Pool) => CommandIds.load(pool) },
        // Saga instances' streams hold one event type, the core's own.
        { provide: EventRegistry, useValue: new EventRegistry().register(sagaSteppedType) },
        { provide: Sagas, useValue: new Sagas() },
        { provide: SagaAdmin, inject: [PG_POOL_TOKEN, Sagas], useFactory: (pool: Pool, sagas: Sagas) => new SagaAdmin(pool, sagas) },
        { provide: SagaOutbox, inject: [PG_POOL_TOKEN], useFactory: (pool: Pool) => new SagaOutbox(pool) },
        // Parked inbox messages live in PostgreSQL: any process answers for them, with or without a broker.
        { provide: InboxFailures, inject: [PG_POOL_TOKEN], useFactory: (pool: Pool) => new InboxFailures(pool) },
        {
          provide: CorrelationChains,
          inject: [PG_POOL_TOKEN, EVENT_STORE],
          useFactory: (pool: Pool, store: PostgresEventStore) => new CorrelationChains(pool, store),
        },
        {
          provide: WriteMetrics,
          inject: [PG_POOL_TOKEN, Sagas],
          useFactory: (pool: Pool, sagas: Sagas) => {
            const logger = new Logger('Metrics');
            return registerEventSourcingMetrics(options.metrics ?? new Registry(), pool, {
              sagaNames: () => sagas.all().map((saga) => saga.name),
              log: (message) => logger.warn(message),
            });
          },
        },
        { provide: InlineProjections, useValue: new InlineProjections() },
        { provide: AggregateCatalog, useValue: new AggregateCatalog() },
        { provide: CommitNotifier, inject: [PG_POOL_TOKEN], useFactory: (pool: Pool) => new CommitNotifier(pool) },
        {
          provide: PostgresSubjectKeys,
          inject: [PG_POOL_TOKEN],
          useFactory: async (pool: Pool) => {
            const logger = new Logger('PersonalData');
            const keys = new PostgresSubjectKeys(pool, new KeyWrapping(options.keyEncryptionKey), (m) => logger.warn(m));
            await keys.start();
            return keys;
          },
        },
        {
          provide: PersonalData,
          inject: [EventRegistry, PostgresSubjectKeys],
          useFactory: (registry: EventRegistry, keys: PostgresSubjectKeys) => new PersonalData(registry, keys),
        },
        {
          provide: SubjectForgetting,
          inject: [PG_POOL_TOKEN, PostgresSubjectKeys, InlineProjections, InboxFailures, EventRegistry],
          useFactory: (pool: Pool, keys: PostgresSubjectKeys, inline: InlineProjections, inbox: InboxFailures, registry: EventRegistry) =>
            new SubjectForgetting(pool, keys, () => inline.personalReadModels(), [inbox.personalCopies(registry)]),
        },
        {
          provide: PostgresEventStore,
          inject: [PG_POOL_TOKEN, EventRegistry, CommitNotifier, PersonalData],
          useFactory: (pool: Pool, registry: EventRegistry, notifier: CommitNotifier, personalData: PersonalData) =>
            new PostgresEventStore(pool, registry, () => notifier.notify(), { appendGroup: options.appendGroup, personalData }),
        },
        { provide: EVENT_STORE, useExisting: PostgresEventStore },
        { provide: AsyncProjections, useValue: new AsyncProjections() },
        { provide: SubscriptionAdmin, inject: [PG_POOL_TOKEN], useFactory: (pool: Pool) => new SubscriptionAdmin(pool) },
        {
          provide: ProjectionAdmin,
          inject: [PG_POOL_TOKEN, PostgresEventStore, AsyncProjections],
          useFactory: (pool: Pool, store: PostgresEventStore, projections: AsyncProjections) =>
            new ProjectionAdmin(pool, store, projections),
        },
        {
          provide: SubscriptionWorkerHost,
          inject: [
            PG_POOL_TOKEN,
            PostgresEventStore,
            EventRegistry,
            PersonalData,
            AsyncProjections,
            Sagas,
            AggregateRepository,
            AggregateCatalog,
            CommandIds,
          ],
          useFactory: (
            pool: Pool,
            store: PostgresEventStore,
            registry: EventRegistry,
            personalData: PersonalData,
            projections: AsyncProjections,
            sagas: Sagas,
            repository: AggregateRepository,
            catalog: AggregateCatalog,
            commandIds: CommandIds,
          ) =>
            new SubscriptionWorkerHost(pool, store, new PostgresSubscriptionLog(pool, registry, personalData), projections, options.workers, {
              sagas,
              repository,
              catalog,
              commandIds,
            }),
        },
        {
          provide: AggregateRepository,
          inject: [
            PG_POOL_TOKEN,
            PostgresEventStore,
            EventRegistry,
            InlineProjections,
            EventBus,
            CommitNotifier,
            WriteMetrics,
            PersonalData,
          ],
          useFactory: (
            pool: Pool,
            store: PostgresEventStore,
            registry: EventRegistry,
            inlineProjections: InlineProjections,
            eventBus: EventBus,
            notifier: CommitNotifier,
            metrics: WriteMetrics,
            personalData: PersonalData,
          ) =>
            AggregateRepository.onPostgres(pool, store, new SnapshotStore(pool, registry, personalData), {
              inlineProjections,
              rememberedStates: options.rememberedAggregates,
              onOutcome: (outcome) => metrics.commandEnded(outcome),
              onCommitted: (events) => {
                metrics.committed(events);
                notifier.notify();
                eventBus.publishAll(events.map((e) => new EventRecorded(e)));
              },
            }),
        },
      ],
      exports: [IdempotencyGuard, SubjectForgetting, CommandSender, Sagas, SagaAdmin, SagaOutbox, InboxFailures, CorrelationChains, AsyncProjections, ProjectionAdmin, SubscriptionAdmin, SubscriptionWorkerHost, CommitNotifier, PG_POOL_TOKEN, EventRegistry, InlineProjections, AggregateCatalog, PostgresEventStore, EVENT_STORE, AggregateRepository],
    };
  }

  /** A context's registration: `imports: [EventSourcingModule.forFeature({ aggregates: [orders], asyncProjections: [revenue] })]`. */
  static forFeature(feature: EventSourcingFeature): DynamicModule {
    return {
      module: EventSourcingFeatureModule,
      providers: [
        {
          provide: Symbol('event-sourcing feature'),
          inject: [EventRegistry, InlineProjections, AggregateCatalog, AsyncProjections, Sagas],
          useFactory: (
            registry: EventRegistry,
            inlineProjections: InlineProjections,
            catalog: AggregateCatalog,
            asyncProjections: AsyncProjections,
            sagas: Sagas,
          ) => {
            for (const aggregate of feature.aggregates ?? []) registerAggregate(aggregate, { registry, inlineProjections, catalog });
            for (const projection of feature.asyncProjections ?? []) asyncProjections.register(projection);
            sagas.register(...(feature.sagas ?? []));
            return feature;
          },
        },
      ],
    };
  }
}
