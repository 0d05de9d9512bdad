import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { type CommandBody, CommandSender, CurrentHttpCommand, type HttpCommand, NoFieldsPipe } from '../../../event-sourcing/index.js';
import { PracticeAccess, PracticeAccessGuard } from '../../tenancy/public-api.js';
import type { ReservationCommand } from '../domain/reservation.commands.js';
import { reservations } from '../reservation.aggregate.js';
import { CancelReservationRequest, ChangeReservationRequest, CreateReservationRequest } from './reservations.requests.js';

const ID = new ParseUUIDPipe({ version: undefined });

/** Reservation commands: staff and above; `If-Match` makes one fail with 409 if the reservation moved on. */
@ApiTags('reservations')
@ApiBearerAuth()
@ApiConflictResponse({ description: 'The reservation is not in a state that allows this, or If-Match is stale' })
@UseGuards(PracticeAccessGuard)
@PracticeAccess('staff')
@Controller('v1/practices/:practiceId/reservations')
export class ReservationCommandsController {
  constructor(@Inject(CommandSender) private readonly commands: CommandSender) {}

  @Post()
  @ApiCreatedResponse({ description: '{ reservationId, status, version }; ETag and Location headers' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_NIGHTS, CHECK_IN_DATE_IN_PAST, INVALID_CHECK_IN_DATE' })
  create(@Body() body: CreateReservationRequest, @CurrentHttpCommand() http: HttpCommand) {
    const { reservationId = randomUUID(), ...data } = body;
    void http.reply.header('Location', `${http.request.url.split('?')[0]}/${reservationId}`);
    return this.send(http, { type: 'CreateReservation', data: { ...data, reservationId } });
  }

  @Post(':reservationId/confirm') @HttpCode(200) @ApiOkResponse({ description: 'confirmed' })
  confirm(@Param('reservationId', ID) reservationId: string, @Body(NoFieldsPipe) _body: undefined, @CurrentHttpCommand() http: HttpCommand) {
    return this.send(http, { type: 'ConfirmReservation', data: { reservationId } });
  }

  @Post(':reservationId/change') @HttpCode(200) @ApiOkResponse({ description: 'dates changed' })
  change(@Param('reservationId', ID) reservationId: string, @Body() body: ChangeReservationRequest, @CurrentHttpCommand() http: HttpCommand) {
    return this.send(http, { type: 'ChangeReservation', data: { ...body, reservationId } });
  }

  @Post(':reservationId/check-in') @HttpCode(200) @ApiOkResponse({ description: 'checked in' })
  checkIn(@Param('reservationId', ID) reservationId: string, @Body(NoFieldsPipe) _body: undefined, @CurrentHttpCommand() http: HttpCommand) {
    return this.send(http, { type: 'CheckInReservation', data: { reservationId } });
  }

  @Post(':reservationId/complete') @HttpCode(200) @ApiOkResponse({ description: 'completed (realized)' })
  complete(@Param('reservationId', ID) reservationId: string, @Body(NoFieldsPipe) _body: undefined, @CurrentHttpCommand() http: HttpCommand) {
    return this.send(http, { type: 'CompleteReservation', data: { reservationId } });
  }

  @Post(':reservationId/cancel') @HttpCode(200) @ApiOkResponse({ description: 'cancelled with the reason' })
  cancel(@Param('reservationId', ID) reservationId: string, @Body() body: CancelReservationRequest, @CurrentHttpCommand() http: HttpCommand) {
    return this.send(http, { type: 'CancelReservation', data: { ...body, reservationId } });
  }

  private async send(http: HttpCommand, command: CommandBody<ReservationCommand>) {
    const result = await this.commands.send(reservations, http, command);
    return { reservationId: command.data.reservationId, status: result.state.status, version: result.version };
  }
}
