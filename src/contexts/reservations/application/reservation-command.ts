import type { CommandPrecondition } from '../../../event-sourcing/aggregates/aggregate-repository.js';
import { ExecuteAggregateCommand } from '../../../event-sourcing/nest/execute-aggregate-command.js';
import type { ReservationCommand } from '../domain/reservation.commands.js';
import { reservationDecider } from '../domain/reservation.decide.js';
import type { ReservationEvent } from '../domain/reservation.events.js';
import type { Reservation } from '../domain/reservation.state.js';
import { reservationStream } from './reservation-streams.js';

/** A reservation command on its way to the CommandBus; `expectedVersion` comes from If-Match. */
export const executeReservationCommand = (command: ReservationCommand, expectedVersion?: CommandPrecondition) =>
  new ExecuteAggregateCommand<Reservation, ReservationCommand, ReservationEvent>(
    reservationDecider,
    reservationStream(command.metadata.tenantId, command.data.reservationId),
    command,
    expectedVersion,
  );
