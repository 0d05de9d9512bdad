import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PracticeAccess } from '../../tenancy/public-api.js';
import { AggregateIdPipe, etagOf, isCalendarDay } from '../../../event-sourcing/index.js';
import { GetReservationAt } from '../application/queries/get-reservation-at.query.js';
import { GetReservationHistory, type HistoryEntry } from '../application/queries/get-reservation-history.query.js';
import { GetReservation } from '../application/queries/get-reservation.query.js';
import { ListReservations, type ReservationPage } from '../application/queries/list-reservations.query.js';
import type { ReservationView } from '../application/reservation.view.js';
import { reservations } from '../reservation.aggregate.js';
import { ListReservationsQuery, ReservationAtQuery } from './reservations.requests.js';

const ID = new AggregateIdPipe(reservations, 'reservationId');
const notFound = (id: string) => new NotFoundException({ code: 'RESERVATION_NOT_FOUND', message: `Reservation ${id} does not exist` });
const encodeCursor = (next: ReservationPage['next']) => (next ? Buffer.from(JSON.stringify(next)).toString('base64url') : null);
const decodeCursor = (cursor: string): ReservationPage['next'] => {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { checkInDate?: unknown; reservationId?: unknown };
    const { checkInDate } = value;
    // A real calendar day: PostgreSQL would fail on 2027-02-30 with a 500, not a 400.
    if (typeof checkInDate === 'string' && isCalendarDay(checkInDate) && typeof value.reservationId === 'string') {
      return { checkInDate, reservationId: value.reservationId };
    }
  } catch {
    // falls through to the 400 below
  }
  throw new BadRequestException({ code: 'INVALID_CURSOR', message: 'cursor is not one this API returned' });
};

/** Reservation reads: any member. Current state from the inline read model; past states folded from events. */
@ApiTags('reservations')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED (query fields named), INVALID_RESERVATION_ID (the path)' })
@PracticeAccess('viewer')
@Controller('v1/practices/:practiceId/reservations')
export class ReservationQueriesController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get()
  @ApiOkResponse({ description: '{ reservations: [...], nextCursor }, ordered by check-in date' })
  async list(@Param('practiceId') practiceId: string, @Query() query: ListReservationsQuery) {
    const { cursor, limit = 50, ...filter } = query;
    const page = await this.queries.execute<ListReservations, ReservationPage>(
      new ListReservations(practiceId, { ...filter, limit, after: cursor ? (decodeCursor(cursor) ?? undefined) : undefined }),
    );
    return { reservations: page.reservations, nextCursor: encodeCursor(page.next) };
  }

  @Get(':reservationId')
  @ApiOkResponse({ description: 'The reservation now, or as it was at ?asOf=<ISO time> or ?version=<n>; ETag: "<version>"' })
  @ApiNotFoundResponse({ description: 'RESERVATION_NOT_FOUND (also for other practices\' reservations)' })
  async get(
    @Param('practiceId') practiceId: string,
    @Param('reservationId', ID) reservationId: string,
    @Query() at: ReservationAtQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReservationView> {
    const temporal = at.asOf !== undefined || at.version !== undefined;
    const view = await this.queries.execute<GetReservation | GetReservationAt, ReservationView | null>(
      temporal
        ? new GetReservationAt(practiceId, reservationId, { asOf: at.asOf ? new Date(at.asOf) : undefined, version: at.version })
        : new GetReservation(practiceId, reservationId),
    );
    if (!view) throw notFound(reservationId);
    void reply.header('ETag', etagOf(view.version));
    return view;
  }

  @Get(':reservationId/history')
  @ApiOkResponse({ description: '{ events: [{ version, type, data, actor, occurredAt, recordedAt, correlationId }] }' })
  async history(
    @Param('practiceId') practiceId: string,
    @Param('reservationId', ID) reservationId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const events = await this.queries.execute<GetReservationHistory, HistoryEntry[]>(new GetReservationHistory(practiceId, reservationId));
    const last = events.at(-1);
    if (!last) throw notFound(reservationId);
    void reply.header('ETag', etagOf(last.version));
    return { events };
  }
}
