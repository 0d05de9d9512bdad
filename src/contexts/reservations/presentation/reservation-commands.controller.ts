import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AggregateIdPipe, ApiIfMatch, Commands, NoFieldsPipe } from '../../../event-sourcing/index.js';
import { PracticeAccess } from '../../tenancy/public-api.js';
import type { Reservation } from '../domain/reservation.state.js';
import { reservations } from '../reservation.aggregate.js';
import { CancelReservationRequest, ChangeReservationRequest, CreateReservationRequest } from './reservations.requests.js';

const ID = new AggregateIdPipe(reservations, 'reservationId');

/** Reservation commands: staff and above; `If-Match` makes one fail with 409 if the reservation moved on. */
@ApiTags('reservations')
@ApiBearerAuth()
@ApiIfMatch()
@ApiConflictResponse({ description: 'The reservation is not in a state that allows this, or If-Match is stale' })
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED (fields named), INVALID_RESERVATION_ID (the path), INVALID_IF_MATCH' })
@PracticeAccess('staff')
@Controller('v1/practices/:practiceId/reservations')
export class ReservationCommandsController {
  @Post()
  @ApiCreatedResponse({ description: '{ reservationId, status, version }; ETag and Location headers' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_NIGHTS, CHECK_IN_DATE_IN_PAST, INVALID_CHECK_IN_DATE' })
  async create(@Body() body: CreateReservationRequest, @Commands() commands: Commands) {
    const { reservationId = commands.newId(), ...data } = body;
    const command = { type: 'CreateReservation' as const, data: { ...data, reservationId } };
    const created = await answer(reservationId, commands.send(reservations, command));
    // Only once it exists: the error filter keeps the reply's headers, so a Location set
    // before the command would go out with its refusal, naming a reservation that is not there.
    void commands.reply.header('Location', `${commands.request.url.split('?')[0]}/${reservationId}`);
    return created;
  }

  @Post(':reservationId/confirm') @HttpCode(200) @ApiOkResponse({ description: 'confirmed' })
  confirm(@Param('reservationId', ID) reservationId: string, @Body(NoFieldsPipe) _: undefined, @Commands() commands: Commands) {
    return answer(reservationId, commands.send(reservations, { type: 'ConfirmReservation', data: { reservationId } }));
  }

  @Post(':reservationId/change') @HttpCode(200) @ApiOkResponse({ description: 'dates changed' })
  change(@Param('reservationId', ID) reservationId: string, @Body() body: ChangeReservationRequest, @Commands() commands: Commands) {
    const data = { ...body, reservationId };
    return answer(reservationId, commands.send(reservations, { type: 'ChangeReservation', data }));
  }

  @Post(':reservationId/check-in') @HttpCode(200) @ApiOkResponse({ description: 'checked in' })
  checkIn(@Param('reservationId', ID) reservationId: string, @Body(NoFieldsPipe) _: undefined, @Commands() commands: Commands) {
    return answer(reservationId, commands.send(reservations, { type: 'CheckInReservation', data: { reservationId } }));
  }

  @Post(':reservationId/complete') @HttpCode(200) @ApiOkResponse({ description: 'completed (realized)' })
  complete(@Param('reservationId', ID) reservationId: string, @Body(NoFieldsPipe) _: undefined, @Commands() commands: Commands) {
    return answer(reservationId, commands.send(reservations, { type: 'CompleteReservation', data: { reservationId } }));
  }

  @Post(':reservationId/cancel') @HttpCode(200) @ApiOkResponse({ description: 'cancelled with the reason' })
  cancel(@Param('reservationId', ID) reservationId: string, @Body() body: CancelReservationRequest, @Commands() commands: Commands) {
    const data = { ...body, reservationId };
    return answer(reservationId, commands.send(reservations, { type: 'CancelReservation', data }));
  }
}

/** Every command's answer: the reservation's id, status and new version (also the reply's ETag). */
const answer = async (reservationId: string, sent: Promise<{ state: Reservation; version: number }>) => {
  const { state, version } = await sent;
  return { reservationId, status: state.status, version };
};
