import type { Command, Decider, DirectAppendContext, DomainEvent } from '../domain/decider.js';
import type { RowChangeProjectionDefinition } from '../projections/row-change.js';
import type { EventOf, RecordedEvent, StreamId } from '../store/event-envelope.js';
import type { EventTypeDefinition, PayloadClass } from '../store/event-registry.js';
import type { AggregateIdFormat } from './aggregate-id-format.js';
import type { InlineProjection } from './inline-projection.js';

/** An event type's payload schema: its class, or the class with its schema version and upcasters. */
export type EventSchema = PayloadClass | Omit<EventTypeDefinition, 'type'>;

/** One schema per event type of the union: the type names are written once, as these keys. */
export type EventSchemas<E extends DomainEvent> = { readonly [T in E['type']]: EventSchema };

/** Snapshot every `every` events; bump `schemaVersion` whenever the state's shape changes. */
export interface SnapshotSettings {
  readonly every: number;
  readonly schemaVersion: number;
}

/** An inline read model: row changes written by the append's own statement, or a projection that reads its rows. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of any shape; its events are the aggregate's
export type InlineReadModel<E extends DomainEvent = any> = RowChangeProjectionDefinition<any, E> | InlineProjection;

/** Everything the core needs to know of an aggregate, said once. */
export interface AggregateDefinition<State, C extends Command, E extends DomainEvent> {
  /** The stored aggregate type: a stream is `<tenant>/<type>/<id>`. */
  readonly type: string;
  readonly decider: Decider<State, C, E>;
  /** The aggregate id a command is about (the stream it runs on, within the command's tenant). */
  readonly idOf: (command: C) => string;
  readonly events: EventSchemas<E>;
  /** Read models kept in the append's transaction: a 2xx means they already show the change. */
  readonly inlineProjections?: readonly InlineReadModel<E>[];
  readonly snapshots?: SnapshotSettings;
  /**
   * How its ids are written, when they have one form (e.g. `LOWER_CASE_UUID`): the events API
   * refuses any other (400 INVALID_AGGREGATE_ID), and its routes check ids with the same format.
   */
  readonly idFormat?: AggregateIdFormat;
  /** The aggregate is the tenant itself (e.g. an organisation): its id must equal the tenant id. */
  readonly isTenant?: boolean;
  /**
   * The command that would have produced `event`. An event appended directly (the generic
   * events API) is accepted only if deciding that command in the current state succeeds, so
   * no direct append reaches a state the commands could not. Without it the events API
   * refuses appends to this aggregate (400 DIRECT_APPEND_NOT_SUPPORTED).
   */
  readonly directAppends?: (event: E, context: DirectAppendContext) => C;
}

/** A registered aggregate: its definition plus what the core derives from it. */
export interface Aggregate<State, C extends Command, E extends DomainEvent> extends AggregateDefinition<State, C, E> {
  readonly eventTypes: readonly E['type'][];
  /** The registry's definitions of its event types. */
  readonly eventDefinitions: readonly EventTypeDefinition[];
  streamOf(tenantId: string, aggregateId: string): StreamId;
  /** The stream a command runs on: its tenant's aggregate `idOf(command)`. */
  streamFor(command: C): StreamId;
  /** Events read from one of its streams, typed by its event union (an event of another type is an error). */
  eventsOf(recorded: readonly RecordedEvent[]): EventOf<E>[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of aggregates of any state, command and event
export type AnyAggregate = Aggregate<any, any, any>;

/** The event type names of a schema map: the one place they are written. */
export const eventTypesOf = <E extends DomainEvent>(schemas: EventSchemas<E>): E['type'][] => Object.keys(schemas) as E['type'][];

const definitionOf = (type: string, schema: EventSchema): EventTypeDefinition =>
  typeof schema === 'function' ? { type, payload: schema } : { type, ...schema };

/**
 * Declares an aggregate once: its decider, the payload schema of each event type, its inline
 * read models, snapshots and direct appends. Register it with `EventSourcingModule.forFeature`.
 */
export const defineAggregate = <State, C extends Command, E extends DomainEvent>(
  definition: AggregateDefinition<State, C, E>,
): Aggregate<State, C, E> => {
  const eventTypes = eventTypesOf(definition.events);
  const streamOf = (tenantId: string, aggregateId: string): StreamId => ({ tenantId, aggregateType: definition.type, aggregateId });
  return {
    ...definition,
    eventTypes,
    eventDefinitions: eventTypes.map((type) => definitionOf(type, (definition.events as Record<string, EventSchema>)[type])),
    streamOf,
    streamFor: (command) => streamOf(command.metadata.tenantId, definition.idOf(command)),
    eventsOf: (recorded) => {
      const foreign = recorded.find((event) => !(eventTypes as readonly string[]).includes(event.type));
      if (foreign) throw new Error(`${foreign.type} is not an event of ${definition.type} aggregates`);
      return recorded as EventOf<E>[];
    },
  };
};
