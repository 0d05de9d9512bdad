import type { CalendarDay, Command } from '../../../event-sourcing/domain/index.js';
import type { Deposit } from './deposit.js';

type Ref = { readonly reservationId: string };

export type CreateReservation = Command<
  'CreateReservation',
  Ref & {
    readonly guestId: string;
    readonly guestName: string;
    readonly guestEmail?: string;
    readonly guestPhone?: string;
    readonly checkInDate: CalendarDay;
    readonly nights: number;
    readonly deposit?: Deposit;
  }
>;
export type ConfirmReservation = Command<'ConfirmReservation', Ref>;
export type ChangeReservation = Command<'ChangeReservation', Ref & { readonly checkInDate: CalendarDay; readonly nights: number }>;
export type CheckInReservation = Command<'CheckInReservation', Ref>;
export type CompleteReservation = Command<'CompleteReservation', Ref>;
export type CancelReservation = Command<'CancelReservation', Ref & { readonly reason: string }>;

/** The longest reason a cancellation takes (and `reservation.cancelled` holds), in characters. */
export const MAX_CANCEL_REASON_LENGTH = 500;

export type ReservationCommand =
  | CreateReservation
  | ConfirmReservation
  | ChangeReservation
  | CheckInReservation
  | CompleteReservation
  | CancelReservation;
