import { assertNever, type CalendarDay } from '../../../event-sourcing/domain/index.js';
import type { ReservationEvent } from './reservation.events.js';

/** Only what decisions need; what screens show lives in the read models. */
export type Reservation =
  | { readonly status: 'none' }
  | { readonly status: 'pending' | 'confirmed' | 'checked_in'; readonly checkInDate: CalendarDay; readonly nights: number }
  | { readonly status: 'completed' | 'cancelled' };

export type OpenReservation = Extract<Reservation, { checkInDate: CalendarDay }>;

export const initialReservation: Reservation = { status: 'none' };

export const evolveReservation = (state: Reservation, event: ReservationEvent): Reservation => {
  switch (event.type) {
    case 'reservation.created':
      return { status: 'pending', checkInDate: event.data.checkInDate, nights: event.data.nights };
    case 'reservation.confirmed':
      return state.status === 'pending' ? { ...state, status: 'confirmed' } : state;
    case 'reservation.changed':
      return 'checkInDate' in state ? { ...state, checkInDate: event.data.checkInDate, nights: event.data.nights } : state;
    case 'reservation.checked_in':
      return state.status === 'confirmed' ? { ...state, status: 'checked_in' } : state;
    case 'reservation.completed':
      return { status: 'completed' };
    case 'reservation.cancelled':
      return { status: 'cancelled' };
    default:
      return assertNever(event);
  }
};
