import { BadRequestException, ForbiddenException, Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  AggregateCatalog,
  AggregateRepository,
  type CommandMetadata,
  type CommandPrecondition,
  EventRegistry,
  isDotSegment,
  type RecordedEvent,
  UnknownEventType,
} from '../event-sourcing/index.js';
import type { AppendEventRequest } from './events-api.requests.js';

export class AppendEvent {
  constructor(
    readonly request: AppendEventRequest,
    readonly metadata: CommandMetadata,
    /** The body's expectedVersion, or the If-Match header's. */
    readonly expectedVersion?: CommandPrecondition,
  ) {}
}

const badRequest = (code: string, message: string) => new BadRequestException({ code, message });

/** A direct append, accepted only where the owning aggregate would have decided the same event. */
@CommandHandler(AppendEvent)
export class AppendEventHandler implements ICommandHandler<AppendEvent, RecordedEvent> {
  constructor(
    @Inject(AggregateRepository) private readonly aggregates: AggregateRepository,
    @Inject(AggregateCatalog) private readonly catalog: AggregateCatalog,
    @Inject(EventRegistry) private readonly registry: EventRegistry,
  ) {}

  async execute({ request, metadata, expectedVersion }: AppendEvent): Promise<RecordedEvent> {
    const { actor } = metadata;
    if ((request.actorType && request.actorType !== actor.type) || (request.actorId && request.actorId !== actor.id)) {
      throw new ForbiddenException({ code: 'ACTOR_MISMATCH', message: 'actorType/actorId must be the authenticated caller' });
    }
    if (!this.registry.has(request.eventType)) throw new UnknownEventType(request.eventType);
    this.registry.validate(request.eventType, request.payload);
    const entry = this.catalog.entry(request.aggregateType);
    if (!entry) throw badRequest('UNKNOWN_AGGREGATE_TYPE', `Aggregate type "${request.aggregateType}" is not known`);
    if (this.catalog.ownerOf(request.eventType) !== request.aggregateType) {
      throw badRequest('EVENT_TYPE_MISMATCH', `"${request.eventType}" events belong to "${this.catalog.ownerOf(request.eventType)}" aggregates`);
    }
    if (!entry.directAppends) {
      throw badRequest('DIRECT_APPEND_NOT_SUPPORTED', `${request.aggregateType} aggregates take their events from their commands only`);
    }
    // The id its own routes would take: one they cannot address, or a second spelling of one they can, is refused.
    if (isDotSegment(request.aggregateId)) {
      throw badRequest('INVALID_AGGREGATE_ID', `An aggregate's id cannot be "${request.aggregateId}": no URL can address it`);
    }
    if (entry.idFormat && !entry.idFormat.pattern.test(request.aggregateId)) {
      throw badRequest('INVALID_AGGREGATE_ID', `A ${request.aggregateType} aggregate's id must be ${entry.idFormat.description}`);
    }
    if (entry.isTenant && request.aggregateId !== request.practiceId) {
      throw badRequest('AGGREGATE_ID_MISMATCH', `A ${request.aggregateType} aggregate's id is its practiceId`);
    }
    const stream = { tenantId: request.practiceId, aggregateType: request.aggregateType, aggregateId: request.aggregateId };
    const event = { type: request.eventType, data: request.payload };
    const result = await this.aggregates.appendDirect(entry, stream, event, metadata, {
      expectedVersion,
      eventId: request.eventId,
    });
    return result.events.find((e) => e.type === request.eventType) ?? result.events[0];
  }
}
