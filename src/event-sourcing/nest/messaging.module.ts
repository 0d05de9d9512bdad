import { Global, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { AmqpBroker } from '../broker/amqp-broker.js';
import { InboxRunner } from '../inbox/inbox-runner.js';
import { AsyncProjections } from '../projections/async-projections.js';
import { eventRelay } from '../relay/event-relay.js';
import { EventRegistry } from '../store/event-registry.js';
import { PG_POOL_TOKEN } from './event-sourcing.tokens.js';

export interface MessagingModuleOptions {
  /** amqp://user:password@host:5672 */
  readonly url: string;
  /** The durable topic exchange events are published to (`chronicle.events`; tests use their own). */
  readonly exchange: string;
}

/**
 * Registers the relay with the subscription workers once every context has registered its event
 * types (module init comes after all providers are made), connects when the app is up, and lets
 * go of RabbitMQ before the pool closes.
 */
class MessagingHost implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly broker: AmqpBroker,
    private readonly inbox: InboxRunner,
    private readonly projections: AsyncProjections,
    private readonly registry: EventRegistry,
  ) {}

  onModuleInit(): void {
    this.projections.addSubscription(eventRelay(this.broker, { types: this.registry.registeredTypes() }));
  }

  onApplicationBootstrap(): Promise<void> {
    this.inbox.start();
    return this.broker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.inbox.stop();
    await this.broker.stop();
  }
}

/**
 * The relay of every event to RabbitMQ, and the inbox consumers contexts register with
 * `InboxRunner`. Imported by processes that run subscriptions, only when a broker is configured.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const logger = new Logger('Messaging');
    const log = (message: string) => logger.warn(message);
    return {
      module: MessagingModule,
      providers: [
        {
          provide: AmqpBroker,
          useFactory: () => new AmqpBroker({ ...options, connectionName: `chronicle-${process.pid}`, log: (m) => logger.log(m) }),
        },
        {
          provide: InboxRunner,
          inject: [PG_POOL_TOKEN, AmqpBroker],
          useFactory: (pool: Pool, broker: AmqpBroker) => new InboxRunner(pool, broker, { log }),
        },
        {
          provide: MessagingHost,
          inject: [AmqpBroker, InboxRunner, AsyncProjections, EventRegistry],
          useFactory: (broker: AmqpBroker, inbox: InboxRunner, projections: AsyncProjections, registry: EventRegistry) =>
            new MessagingHost(broker, inbox, projections, registry),
        },
      ],
      exports: [AmqpBroker, InboxRunner],
    };
  }
}
