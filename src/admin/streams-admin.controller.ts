import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CorrelationChains, EVENT_STORE, type CorrelationChain, type EventStore, type RecordedEvent } from '../event-sourcing/index.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';
import { CorrelationQuery, StreamEventsQuery, StreamsQuery } from './admin.requests.js';
import { OperatorsOnly } from '../auth/operators-only.decorator.js';
import { decodeStreamCursor, encodeStreamCursor, StreamDirectory, type StreamSummary } from './stream-directory.js';

/** An event whole, as the store returns it: envelope, metadata and data. */
export interface AdminEventView {
  readonly eventId: string;
  readonly position: number;
  readonly transactionId: string;
  readonly tenantId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: RecordedEvent['metadata'];
  readonly occurredAt: string;
  readonly recordedAt: string;
}

const toView = (event: RecordedEvent): AdminEventView => ({
  eventId: event.eventId,
  position: event.position,
  transactionId: event.transactionId,
  tenantId: event.tenantId,
  aggregateType: event.aggregateType,
  aggregateId: event.aggregateId,
  version: event.version,
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  metadata: event.metadata,
  occurredAt: event.occurredAt.toISOString(),
  recordedAt: event.recordedAt.toISOString(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Chains of more tenants than this are cut, and say so (a correlation id is a tenant's; a shared one is a caller's choice). */
const MAX_CHAIN_TENANTS = 20;

/**
 * Operators' read-only view of the log across tenants, for the event browser (/admin): which
 * streams exist, a stream's events, one event, one business process. Stream keys come from
 * SQL on the events table's key columns; every event's content comes through the event store.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@ApiForbiddenResponse({ description: 'OPERATORS_ONLY' })
@OperatorsOnly()
@NotRateLimited()
@Controller('v1/admin')
export class StreamsAdminController {
  constructor(
    @Inject(StreamDirectory) private readonly directory: StreamDirectory,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CorrelationChains) private readonly chains: CorrelationChains,
  ) {}

  @Get('streams')
  @ApiOkResponse({ description: '{ streams: [{ tenantId, aggregateType, aggregateId, version, lastRecordedAt }], nextCursor } in key order' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_CURSOR' })
  async streams(@Query() query: StreamsQuery): Promise<{ streams: readonly StreamSummary[]; nextCursor: string | null }> {
    const after = query.cursor === undefined ? undefined : decodeStreamCursor(query.cursor);
    if (after === null) throw new BadRequestException({ code: 'INVALID_CURSOR', message: 'cursor is not one this API returned' });
    const page = await this.directory.list({
      tenantId: query.tenant,
      aggregateType: query.type,
      idPrefix: query.idPrefix,
      after,
      limit: query.limit ?? 50,
    });
    return { streams: page.streams, nextCursor: page.next && encodeStreamCursor(page.next) };
  }

  @Get('streams/:tenantId/:aggregateType/:aggregateId')
  @ApiOkResponse({ description: '{ stream, version, events: [{ eventId, position, version, type, data, metadata, … }], nextFromVersion }' })
  @ApiNotFoundResponse({ description: 'STREAM_NOT_FOUND: the stream has no events' })
  async stream(
    @Param('tenantId') tenantId: string,
    @Param('aggregateType') aggregateType: string,
    @Param('aggregateId') aggregateId: string,
    @Query() query: StreamEventsQuery,
  ) {
    const stream = { tenantId, aggregateType, aggregateId };
    const limit = query.limit ?? 200;
    const fromVersion = query.fromVersion ?? 1;
    // One more than the page: whether the stream goes on comes from the same read as the page.
    let read = await this.store.readStream(stream, { fromVersion, limit: limit + 1 });
    // A page that reaches the stream's end gives its version; otherwise it is read after the page, so never below it.
    let version = read.length > 0 && read.length <= limit ? read.at(-1)!.version : await this.store.streamVersion(stream);
    if (read.length === 0 && version >= fromVersion) {
      // Its first events committed between the two reads: this read holds them.
      read = await this.store.readStream(stream, { fromVersion, limit: limit + 1 });
      version = Math.max(version, read.at(-1)?.version ?? 0);
    }
    if (version === 0) throw new NotFoundException({ code: 'STREAM_NOT_FOUND', message: 'The stream has no events' });
    const events = read.slice(0, limit);
    const nextFromVersion = read.length > limit ? events.at(-1)!.version + 1 : null;
    return { stream, version, events: events.map(toView), nextFromVersion };
  }

  @Get('events/:eventId')
  @ApiOkResponse({ description: '{ event: { eventId, position, version, type, data, metadata, … } }' })
  @ApiBadRequestResponse({ description: 'INVALID_EVENT_ID: not a UUID' })
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND' })
  async event(@Param('eventId') eventId: string): Promise<{ event: AdminEventView }> {
    if (!UUID.test(eventId)) throw new BadRequestException({ code: 'INVALID_EVENT_ID', message: 'An event id is a UUID' });
    const event = await this.store.findEvent(eventId);
    if (!event) throw new NotFoundException({ code: 'EVENT_NOT_FOUND', message: `No event ${eventId}` });
    return { event: toView(event) };
  }

  @Get('correlations/:correlationId')
  @ApiOkResponse({
    description:
      '{ correlationId, tenants: [{ tenantId, chain: [{ kind: event|command, … }], truncated }], moreTenants }, each chain in causal order and cut after 1,000 events (truncated), the tenants in id order and cut after 20 (moreTenants)',
  })
  @ApiNotFoundResponse({ description: 'CORRELATION_NOT_FOUND: no event (of the tenant, when given) carries it' })
  async correlation(
    @Param('correlationId') correlationId: string,
    @Query() query: CorrelationQuery,
  ): Promise<{ correlationId: string; tenants: ({ tenantId: string } & CorrelationChain)[]; moreTenants: boolean }> {
    const found = query.tenant === undefined ? await this.directory.tenantsOfCorrelation(correlationId, MAX_CHAIN_TENANTS + 1) : [query.tenant];
    const tenantIds = found.slice(0, MAX_CHAIN_TENANTS);
    const tenants = (await Promise.all(tenantIds.map(async (tenantId) => ({ tenantId, ...(await this.chains.of(tenantId, correlationId)) }))))
      .filter(({ chain }) => chain.length > 0);
    if (tenants.length === 0) throw new NotFoundException({ code: 'CORRELATION_NOT_FOUND', message: `No event carries ${correlationId}` });
    return { correlationId, tenants, moreTenants: found.length > MAX_CHAIN_TENANTS };
  }
}
