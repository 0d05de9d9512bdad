import { BadRequestException, Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toActor, type AuthenticatedActor } from '../auth/authenticated-actor.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { PracticeAccess } from '../contexts/tenancy/public-api.js';
import {
  ApiIfMatch,
  commandMetadata,
  CORRELATION_HEADER,
  decodeLogCursor,
  encodeLogCursor,
  etagOf,
  EVENT_STORE,
  expectedVersionFrom,
  type EventStore,
} from '../event-sourcing/index.js';
import { AppendEvent } from './append-event.handler.js';
import { toEventResponse, type EventResponse } from './event.response.js';
import { AppendEventRequest, EventsByTypeQuery } from './events-api.requests.js';

const EXAMPLE_EVENT = {
  id: '0b7f6a3e-5d0c-4d8e-9b7e-3b1f9f7c2a11',
  practiceId: '3f1c2d9e-8a51-4c1e-9a57-2f0f1b6f4a10',
  aggregateType: 'practice',
  aggregateId: '3f1c2d9e-8a51-4c1e-9a57-2f0f1b6f4a10',
  eventType: 'practice.updated',
  payload: { name: 'Practice Name' },
  actorType: 'human',
  actorId: 'user-1',
  createdAt: '2026-01-01T00:00:00.000Z',
  version: 3,
};

/** The generic events API (contract of reference 001), scoped by practice membership. */
@ApiTags('events')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@ApiForbiddenResponse({ description: 'NOT_A_MEMBER of the practice, or ROLE_TOO_LOW' })
@Controller('v1/events')
export class EventsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post('append')
  @PracticeAccess('staff')
  @ApiIfMatch()
  @ApiCreatedResponse({ description: 'The stored event; ETag: "<its version>"', schema: { example: EXAMPLE_EVENT } })
  @ApiBadRequestResponse({
    description:
      'UNKNOWN_EVENT_TYPE, INVALID_EVENT_PAYLOAD (fields named), VALIDATION_FAILED, EVENT_TYPE_MISMATCH, ' +
      'INVALID_AGGREGATE_ID (not in the aggregate type\'s id form), INVALID_IF_MATCH, IF_MATCH_MISMATCH',
  })
  @ApiConflictResponse({
    description: 'CONCURRENCY_CONFLICT (expectedVersion or If-Match stale), or the aggregate refuses the event (e.g. PRACTICE_ALREADY_EXISTS)',
  })
  // The aggregate decides the event as its command: its refusals are the command route's.
  @ApiNotFoundResponse({ description: 'The aggregate refuses the event: what it is about does not exist (e.g. MEMBER_NOT_FOUND)' })
  @ApiUnprocessableEntityResponse({
    description: 'The aggregate refuses the event: a broken rule (e.g. INVALID_NIGHTS); or IDEMPOTENCY_KEY_REUSED',
  })
  async append(
    @Body() body: AppendEventRequest,
    @CurrentActor() actor: AuthenticatedActor,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventResponse> {
    // If-Match, as on every command, or the body's expectedVersion (001's contract); both must agree.
    const ifMatch = expectedVersionFrom(request);
    if (ifMatch !== undefined && body.expectedVersion !== undefined && ifMatch !== body.expectedVersion) {
      throw new BadRequestException({ code: 'IF_MATCH_MISMATCH', message: 'If-Match and expectedVersion name different versions' });
    }
    const metadata = commandMetadata(request, toActor(actor), body.practiceId);
    void reply.header(CORRELATION_HEADER, metadata.correlationId);
    const stored = await this.commands.execute(new AppendEvent(body, metadata, body.expectedVersion ?? ifMatch));
    void reply.header('ETag', etagOf(stored.version));
    return toEventResponse(stored);
  }

  @Get('aggregate/:practiceId/:aggregateType/:aggregateId')
  @PracticeAccess('viewer')
  @ApiOkResponse({
    description: 'All events of the aggregate, oldest first; ETag: "<its version>" ("0" for no events), for If-Match',
    schema: { example: { events: [EXAMPLE_EVENT] } },
  })
  async byAggregate(
    @Param('practiceId') practiceId: string,
    @Param('aggregateType') aggregateType: string,
    @Param('aggregateId') aggregateId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ events: EventResponse[] }> {
    const events = await this.store.readStream({ tenantId: practiceId, aggregateType, aggregateId });
    // The whole stream is read (no limit), so its last event's version is the aggregate's.
    void reply.header('ETag', etagOf(events.at(-1)?.version ?? 0));
    return { events: events.map(toEventResponse) };
  }

  @Get('type/:practiceId/:eventType')
  @PracticeAccess('viewer')
  @ApiOkResponse({
    description:
      'Events of one type in the practice, in commit order. nextCursor is where to go on from after this page, given with every ' +
      'page that holds events (pass it back as cursor); null on an empty page: nothing more has committed yet. A page may be short of ' +
      'limit while an older transaction is still open on the server, so keep asking until an empty page.',
    schema: { example: { events: [EXAMPLE_EVENT], nextCursor: '1042:17' } },
  })
  @ApiBadRequestResponse({ description: 'INVALID_CURSOR (a cursor this API did not give), VALIDATION_FAILED (limit, cursor)' })
  async byType(
    @Param('practiceId') practiceId: string,
    @Param('eventType') eventType: string,
    @Query() query: EventsByTypeQuery,
  ): Promise<{ events: EventResponse[]; nextCursor: string | null }> {
    const after = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor);
    if (after === null) throw new BadRequestException({ code: 'INVALID_CURSOR', message: 'cursor is not one this API returned' });
    const limit = query.limit ?? 100;
    const events = await this.store.readByType(practiceId, eventType, { after, limit });
    const last = events.at(-1);
    // Every page with events says where to go on from: a page cut short by the read fence (an
    // older transaction still open) is no end, and the caller could not make a cursor itself.
    return { events: events.map(toEventResponse), nextCursor: last ? encodeLogCursor(last) : null };
  }
}
