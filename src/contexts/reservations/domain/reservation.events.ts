import type { CalendarDay, DomainEvent } from '../../../event-sourcing/domain/index.js';
import type { Deposit } from './deposit.js';

export type ReservationCreated = DomainEvent<
  'reservation.created',
  {
    readonly reservationId: string;
    readonly guestId: string;
    readonly guestName: string;
    readonly guestEmail?: string;
    readonly guestPhone?: string;
    /** A calendar day, YYYY-MM-DD. */
    readonly checkInDate: CalendarDay;
    readonly nights: number;
    readonly createdAt: string;
    /** Asked for at booking: the deposit saga requests it and confirms or cancels the reservation. */
    readonly deposit?: Deposit;
  }
>;
export type ReservationConfirmed = DomainEvent<'reservation.confirmed', { readonly confirmedAt: string }>;
export type ReservationChanged = DomainEvent<
  'reservation.changed',
  { readonly checkInDate: CalendarDay; readonly nights: number; readonly changedAt: string }
>;
export type ReservationCheckedIn = DomainEvent<'reservation.checked_in', { readonly checkedInAt: string }>;
export type ReservationCompleted = DomainEvent<'reservation.completed', { readonly completedAt: string }>;
export type ReservationCancelled = DomainEvent<'reservation.cancelled', { readonly reason: string; readonly cancelledAt: string }>;

export type ReservationEvent =
  | ReservationCreated
  | ReservationConfirmed
  | ReservationChanged
  | ReservationCheckedIn
  | ReservationCompleted
  | ReservationCancelled;


export const reservationCreated = (data: ReservationCreated['data']): ReservationCreated => ({ type: 'reservation.created', data });
export const reservationConfirmed = (data: ReservationConfirmed['data']): ReservationConfirmed => ({
  type: 'reservation.confirmed',
  data,
});
export const reservationChanged = (data: ReservationChanged['data']): ReservationChanged => ({ type: 'reservation.changed', data });
export const reservationCheckedIn = (data: ReservationCheckedIn['data']): ReservationCheckedIn => ({
  type: 'reservation.checked_in',
  data,
});
export const reservationCompleted = (data: ReservationCompleted['data']): ReservationCompleted => ({
  type: 'reservation.completed',
  data,
});
export const reservationCancelled = (data: ReservationCancelled['data']): ReservationCancelled => ({
  type: 'reservation.cancelled',
  data,
});
