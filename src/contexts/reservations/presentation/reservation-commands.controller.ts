import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { toActor, type AuthenticatedActor } from '../../../auth/authenticated-actor.js';
import { CurrentActor } from '../../../auth/current-actor.decorator.js';
import { PracticeAccess, PracticeAccessGuard } from '../../tenancy/public-api.js';
import type { HandleResult } from '../../../event-sourcing/aggregates/aggregate-repository.js';
import { commandMetadata, etagOf, expectedVersionFrom } from '../../../event-sourcing/nest/command-metadata.js';
import { NoFieldsPipe } from '../../../event-sourcing/nest/no-fields.pipe.js';
import { executeReservationCommand } from '../application/reservation-command.js';
import type { ReservationCommand } from '../domain/reservation.commands.js';
import type { Reservation } from '../domain/reservation.state.js';
import { CancelReservationRequest, ChangeReservationRequest, CreateReservationRequest } from './reservations.requests.js';

type Data<T extends ReservationCommand['type']> = Omit<Extract<ReservationCommand, { type: T }>['data'], 'reservationId'>;
const ID = new ParseUUIDPipe({ version: undefined });

/** Reservation commands: staff and above; `If-Match` makes one fail with 409 if the reservation moved on. */
@ApiTags('reservations')
@ApiBearerAuth()
@ApiConflictResponse({ description: 'The reservation is not in a state that allows this, or If-Match is stale' })
@UseGuards(PracticeAccessGuard)
@PracticeAccess('staff')
@Controller('v1/practices/:practiceId/reservations')
export class ReservationCommandsController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Post()
  @ApiCreatedResponse({ description: '{ reservationId, status, version }; ETag and Location headers' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_NIGHTS, CHECK_IN_DATE_IN_PAST, INVALID_CHECK_IN_DATE' })
  create(@Body() body: CreateReservationRequest, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentActor() actor: AuthenticatedActor) {
    const { reservationId = randomUUID(), ...data } = body;
    void reply.header('Location', `${request.url.split('?')[0]}/${reservationId}`);
    return this.send('CreateReservation', reservationId, data, request, reply, actor);
  }

  @Post(':reservationId/confirm') @HttpCode(200) @ApiOkResponse({ description: 'confirmed' })
  confirm(@Param('reservationId', ID) id: string, @Body(NoFieldsPipe) _body: undefined, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentActor() actor: AuthenticatedActor) {
    return this.send('ConfirmReservation', id, {}, request, reply, actor);
  }

  @Post(':reservationId/change') @HttpCode(200) @ApiOkResponse({ description: 'dates changed' })
  change(@Param('reservationId', ID) id: string, @Body() body: ChangeReservationRequest, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentActor() actor: AuthenticatedActor) {
    return this.send('ChangeReservation', id, body, request, reply, actor);
  }

  @Post(':reservationId/check-in') @HttpCode(200) @ApiOkResponse({ description: 'checked in' })
  checkIn(@Param('reservationId', ID) id: string, @Body(NoFieldsPipe) _body: undefined, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentActor() actor: AuthenticatedActor) {
    return this.send('CheckInReservation', id, {}, request, reply, actor);
  }

  @Post(':reservationId/complete') @HttpCode(200) @ApiOkResponse({ description: 'completed (realized)' })
  complete(@Param('reservationId', ID) id: string, @Body(NoFieldsPipe) _body: undefined, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentActor() actor: AuthenticatedActor) {
    return this.send('CompleteReservation', id, {}, request, reply, actor);
  }

  @Post(':reservationId/cancel') @HttpCode(200) @ApiOkResponse({ description: 'cancelled with the reason' })
  cancel(@Param('reservationId', ID) id: string, @Body() body: CancelReservationRequest, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentActor() actor: AuthenticatedActor) {
    return this.send('CancelReservation', id, body, request, reply, actor);
  }

  private async send<T extends ReservationCommand['type']>(type: T, reservationId: string, data: Data<T>, request: FastifyRequest, reply: FastifyReply, actor: AuthenticatedActor) {
    const practiceId = (request.params as { practiceId: string }).practiceId;
    const command = { type, data: { ...data, reservationId }, metadata: commandMetadata(request, toActor(actor), practiceId) } as ReservationCommand;
    const result: HandleResult<Reservation> = await this.commands.execute(executeReservationCommand(command, expectedVersionFrom(request)));
    void reply.header('ETag', etagOf(result.version));
    return { reservationId, status: result.state.status, version: result.version };
  }
}
