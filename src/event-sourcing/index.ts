/**
 * Chronicle's event-sourcing core: everything a bounded context or an edge of the app uses,
 * from one import. The rest of `src/event-sourcing/` is private to the core (a lint rule
 * keeps it so); its test kit is `./testing/index.js`.
 */

// Writing an aggregate: plain data and pure functions (also in `./domain/index.js`, for domain code).
export * from './domain/index.js';

// Registering it: one definition per aggregate.
export { defineAggregate, eventTypesOf } from './aggregates/aggregate.js';
export type { Aggregate, AggregateDefinition, AnyAggregate, EventSchema, EventSchemas, InlineReadModel, SnapshotSettings } from './aggregates/aggregate.js';
export { LOWER_CASE_UUID } from './aggregates/aggregate-id-format.js';
export type { AggregateIdFormat } from './aggregates/aggregate-id-format.js';
export { AggregateRepository } from './aggregates/aggregate-repository.js';
export type { CommandPrecondition, HandleOptions, HandleResult, LoadedAggregate } from './aggregates/aggregate-repository.js';
export { AggregateCatalog } from './aggregates/aggregate-catalog.js';

// Read models: inline row changes, async folds and maps, lazy projections, reactors.
export type { Row, FoldProjectionDefinition } from './projections/fold-projection.js';
export { foldOfChanges, type RowChange, type RowChangeProjectionDefinition } from './projections/row-change.js';
export { arrayElement, selectByKeys, upsertRows } from './projections/row-sql.js';
export { asyncFold } from './projections/async-fold.projection.js';
export { asyncMap, type MapProjectionDefinition } from './projections/async-map.projection.js';
export type { AsyncProjection, TableNames } from './projections/async-projection.js';
export { LazyProjection, type LazyProjectionDefinition, type StreamAtVersion } from './projections/lazy-projection.js';
export type { Reactor } from './projections/reactor.js';
export { ProjectionAdmin } from './projections/projection-admin.js';
export { RebuildInProgress, RebuildNotStarted, RebuildStopped } from './projections/projection-admin.errors.js';
export { SubscriptionAdmin, SubscriptionNotFound, type SubscriptionReport } from './projections/subscription-admin.js';
export type { ErrorPolicy, SubscriptionOptions } from './subscriptions/subscription.js';
export { DependencyUnavailable } from './subscriptions/dependency-unavailable.js';
export { within } from './store/within.js';
export { isDatabaseUnavailable } from './store/database-unavailable.js';

// Messaging: the relay of every event to RabbitMQ, and inbox consumers of what it publishes.
export { AmqpBroker } from './broker/amqp-broker.js';
export { RELAY_HEADERS, routingKeyOf, type RelayedEvent } from './relay/relayed-event.js';
export { RELAY_SUBSCRIPTION } from './relay/event-relay.js';
export type { InboxConsumer } from './inbox/inbox-consumer.js';
export { InboxFailures, type InboxDeadLetter } from './inbox/inbox-failures.js';
export { InboxRunner } from './inbox/inbox-runner.js';
export { MessagingModule, type MessagingModuleOptions } from './nest/messaging.module.js';

// Sagas: process managers as data plus pure functions; the runtime sends, records and keeps deadlines.
export { commandRefused, deadlineAfter, deadlineReached, defineSaga, sendTo } from './sagas/saga.js';
export type { CommandRefused, Deadline, DeadlineReached, Reaction, Saga, SagaCommand, SagaDefinition, SagaMessage } from './sagas/saga.js';
export { SagaAdmin, SagaNotFound, type SagaDeadLetter, type SagaInstanceFilter, type SagaInstanceView, type SagaReport } from './sagas/saga-admin.js';
export { SagaCommandAlreadySent, SagaCommandNotFound, SagaOutbox, type UnsentSagaCommand, type UnsentSagaCommandFilter } from './sagas/saga-outbox.js';
export { CorrelationChains, type ChainLink, type CorrelationChain } from './sagas/correlation-chain.js';

// The event store, for queries that read streams and the events API.
export type { EventStore } from './store/event-store.js';
export { REDACTED, type PersonalFields, type PersonalFieldsView } from './personal-data/personal-fields.js';
export type { PersonalColumns } from './personal-data/personal-columns.js';
export { SubjectForgetting, type Forgotten } from './personal-data/subject-forgetting.js';
export type { EventMetadata, EventOf, RecordedEvent, StreamId } from './store/event-envelope.js';
export type { PendingEvent } from './store/append-side-write.js';
export { EventRegistry, type PayloadClass } from './store/event-registry.js';
export { UnknownEventType } from './store/event-store.errors.js';
export { compareLogCursors, decodeLogCursor, encodeLogCursor, type LogCursor } from './store/log-cursor.js';
export { oldestOpenTransaction, type OpenTransaction } from './store/oldest-open-transaction.js';
export { withClient } from './store/with-client.js';
export { KeyCache } from './personal-data/key-cache.js';

// Input checks shared by payload schemas and request DTOs.
export { CALENDAR_DAY_MESSAGE, IsCalendarDay, IsInstant } from './validation/calendar.validators.js';
export { IsIdOf } from './validation/aggregate-id.validators.js';

// The Nest edge: the module, sending commands from controllers, the error shape, input guards.
export { EventSourcingModule, type EventSourcingFeature, type EventSourcingModuleOptions } from './nest/event-sourcing.module.js';
export { SubscriptionWorkerHost } from './nest/subscription-worker.host.js';
export { EVENT_STORE, PG_POOL_TOKEN } from './nest/event-sourcing.tokens.js';
export { Commands, type SendOptions } from './nest/commands.js';
export type { CommandCaller } from './nest/http-command.js';
export { ApiIfMatch } from './nest/api-if-match.decorator.js';
export { commandMetadata, CORRELATION_HEADER, correlationIdOf, etagOf, expectedVersionFrom } from './nest/command-metadata.js';
export { NoFieldsPipe } from './nest/no-fields.pipe.js';
export { AggregateIdPipe } from './nest/aggregate-id.pipe.js';
export { RowIdPipe } from './nest/row-id.pipe.js';
export { requestValidationPipe } from './nest/request-validation.pipe.js';
export { ErrorResponseFilter } from './nest/error-response.filter.js';
export { IdempotencyGuard } from './nest/idempotency.guard.js';
export { toErrorResponse } from './nest/error-response.js';
export { answerClientError } from './nest/client-error.handler.js';
export { acceptJsonBodiesOnly } from './nest/json-bodies-only.js';
export { rejectUnreasonableInput } from './nest/unreasonable-input.js';
