import { Global, Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import type { Pool } from 'pg';
import { EventRegistry } from '../store/event-registry.js';
import { PostgresEventStore } from '../store/postgres-event-store.js';
import { EVENT_STORE } from './event-sourcing.tokens.js';

export interface EventSourcingModuleOptions {
  /** The token of the pg `Pool` the store writes through; the app provides it. */
  readonly pool: InjectionToken;
}

/**
 * The core's Nest face: one `EventRegistry` that bounded contexts register their event
 * types into, and the event store behind the `EVENT_STORE` token.
 */
@Global()
@Module({})
export class EventSourcingModule {
  static forRoot(options: EventSourcingModuleOptions): DynamicModule {
    return {
      module: EventSourcingModule,
      providers: [
        { provide: EventRegistry, useValue: new EventRegistry() },
        {
          provide: PostgresEventStore,
          inject: [options.pool, EventRegistry],
          useFactory: (pool: Pool, registry: EventRegistry) => new PostgresEventStore(pool, registry),
        },
        { provide: EVENT_STORE, useExisting: PostgresEventStore },
      ],
      exports: [EventRegistry, PostgresEventStore, EVENT_STORE],
    };
  }
}
