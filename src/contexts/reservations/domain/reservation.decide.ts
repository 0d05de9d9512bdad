import { assertNever, byCommandType, type Decider, type DirectAppendContext } from '../../../event-sourcing/domain/index.js';
import type {
  CancelReservation,
  ChangeReservation,
  CheckInReservation,
  CompleteReservation,
  ConfirmReservation,
  CreateReservation,
  ReservationCommand,
} from './reservation.commands.js';
import {
  ReservationAlreadyCancelled,
  ReservationAlreadyExists,
  ReservationClosed,
  ReservationNotFound,
  ReservationNotReady,
} from './reservation.errors.js';
import {
  reservationCancelled,
  reservationChanged,
  reservationCheckedIn,
  reservationCompleted,
  reservationConfirmed,
  reservationCreated,
  type ReservationEvent,
} from './reservation.events.js';
import { evolveReservation, initialReservation, type OpenReservation, type Reservation } from './reservation.state.js';
import { checkStay } from './stay.js';
import { checkDeposit } from './deposit.js';

/** The reservation the command is about must exist and be open (not cancelled or completed). */
const requireOpen = (state: Reservation, reservationId: string): OpenReservation => {
  if (state.status === 'none') throw new ReservationNotFound(reservationId);
  if (!('checkInDate' in state)) throw new ReservationClosed(reservationId, state.status);
  return state;
};

const requireStatus = (state: OpenReservation, reservationId: string, action: string, needed: OpenReservation['status']): void => {
  if (state.status !== needed) throw new ReservationNotReady(reservationId, action, state.status, needed);
};

export const create = ({ data, metadata }: CreateReservation, state: Reservation): ReservationEvent[] => {
  if (state.status !== 'none') throw new ReservationAlreadyExists(data.reservationId);
  checkStay(data.checkInDate, data.nights, metadata.now);
  if (data.deposit) checkDeposit(data.deposit);
  return [reservationCreated({ ...data, createdAt: metadata.now })];
};

export const confirm = ({ data, metadata }: ConfirmReservation, state: Reservation): ReservationEvent[] => {
  requireStatus(requireOpen(state, data.reservationId), data.reservationId, 'be confirmed', 'pending');
  return [reservationConfirmed({ confirmedAt: metadata.now })];
};

export const change = ({ data, metadata }: ChangeReservation, state: Reservation): ReservationEvent[] => {
  const open = requireOpen(state, data.reservationId);
  if (open.status === 'checked_in') {
    throw new ReservationNotReady(data.reservationId, 'change dates', open.status, 'pending or confirmed');
  }
  checkStay(data.checkInDate, data.nights, metadata.now);
  if (open.checkInDate === data.checkInDate && open.nights === data.nights) return [];
  return [reservationChanged({ checkInDate: data.checkInDate, nights: data.nights, changedAt: metadata.now })];
};

export const checkIn = ({ data, metadata }: CheckInReservation, state: Reservation): ReservationEvent[] => {
  requireStatus(requireOpen(state, data.reservationId), data.reservationId, 'check in', 'confirmed');
  return [reservationCheckedIn({ checkedInAt: metadata.now })];
};

export const complete = ({ data, metadata }: CompleteReservation, state: Reservation): ReservationEvent[] => {
  requireStatus(requireOpen(state, data.reservationId), data.reservationId, 'complete', 'checked_in');
  return [reservationCompleted({ completedAt: metadata.now })];
};

export const cancel = ({ data, metadata }: CancelReservation, state: Reservation): ReservationEvent[] => {
  if (state.status === 'cancelled') throw new ReservationAlreadyCancelled(data.reservationId);
  requireOpen(state, data.reservationId);
  return [reservationCancelled({ reason: data.reason, cancelledAt: metadata.now })];
};

/** The command that stands behind an event appended directly (generic events API). */
export const reservationCommandFor = (
  event: ReservationEvent,
  { aggregateId: reservationId, metadata }: DirectAppendContext,
): ReservationCommand => {
  switch (event.type) {
    case 'reservation.created': {
      const { guestId, guestName, guestEmail, guestPhone, checkInDate, nights, deposit } = event.data;
      return {
        type: 'CreateReservation',
        data: { reservationId, guestId, guestName, guestEmail, guestPhone, checkInDate, nights, deposit },
        metadata,
      };
    }
    case 'reservation.confirmed':
      return { type: 'ConfirmReservation', data: { reservationId }, metadata };
    case 'reservation.changed':
      return { type: 'ChangeReservation', data: { reservationId, checkInDate: event.data.checkInDate, nights: event.data.nights }, metadata };
    case 'reservation.checked_in':
      return { type: 'CheckInReservation', data: { reservationId }, metadata };
    case 'reservation.completed':
      return { type: 'CompleteReservation', data: { reservationId }, metadata };
    case 'reservation.cancelled':
      return { type: 'CancelReservation', data: { reservationId, reason: event.data.reason }, metadata };
    default:
      return assertNever(event);
  }
};

export const reservationDecider: Decider<Reservation, ReservationCommand, ReservationEvent> = {
  initialState: initialReservation,
  decide: byCommandType({
    CreateReservation: create,
    ConfirmReservation: confirm,
    ChangeReservation: change,
    CheckInReservation: checkIn,
    CompleteReservation: complete,
    CancelReservation: cancel,
  }),
  evolve: evolveReservation,
};
