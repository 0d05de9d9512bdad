import { domainError } from '../../../event-sourcing/domain/index.js';

export class ReservationNotFound extends domainError('not-found', 'RESERVATION_NOT_FOUND') {
  constructor(reservationId: string) {
    super(`Reservation ${reservationId} does not exist`, { reservationId });
  }
}

export class ReservationAlreadyExists extends domainError('conflict', 'RESERVATION_ALREADY_EXISTS') {
  constructor(reservationId: string) {
    super(`Reservation ${reservationId} already exists`, { reservationId });
  }
}

/** Cancelled or completed: nothing changes any more. */
export class ReservationClosed extends domainError('conflict', 'RESERVATION_CLOSED') {
  constructor(reservationId: string, status: 'cancelled' | 'completed') {
    super(`Reservation ${reservationId} is ${status}`, { reservationId, status });
  }
}

export class ReservationAlreadyCancelled extends domainError('conflict', 'RESERVATION_ALREADY_CANCELLED') {
  constructor(reservationId: string) {
    super(`Reservation ${reservationId} is already cancelled`, { reservationId });
  }
}

/** The command does not fit the reservation's stage (e.g. check-in before confirmation). */
export class ReservationNotReady extends domainError('conflict', 'RESERVATION_NOT_READY') {
  constructor(reservationId: string, action: string, status: string, needed: string) {
    super(`Reservation ${reservationId} cannot ${action} while ${status}; it must be ${needed}`, {
      reservationId,
      status,
      needed,
    });
  }
}

export class InvalidDeposit extends domainError('rule-violated', 'INVALID_DEPOSIT') {
  constructor(amount: number, currency: string) {
    super(`A deposit is 1 to 1,000,000,000 minor units of an ISO 4217 currency, not ${amount} ${currency}`, { amount, currency });
  }
}

export class InvalidNights extends domainError('rule-violated', 'INVALID_NIGHTS') {
  constructor(nights: number) {
    super(`A reservation is for 1 to 365 nights, not ${nights}`, { nights, min: 1, max: 365 });
  }
}

export class InvalidCheckInDate extends domainError('rule-violated', 'INVALID_CHECK_IN_DATE') {
  constructor(checkInDate: string) {
    super(`${checkInDate} is not a calendar date (YYYY-MM-DD)`, { checkInDate });
  }
}

/** The check-out day would fall after 9999-12-31, the last day a date is written in four digits. */
export class StayBeyondCalendar extends domainError('rule-violated', 'STAY_BEYOND_CALENDAR') {
  constructor(checkInDate: string, nights: number) {
    super(`A stay of ${nights} nights from ${checkInDate} would end after 9999-12-31`, { checkInDate, nights });
  }
}

export class CheckInDateInPast extends domainError('rule-violated', 'CHECK_IN_DATE_IN_PAST') {
  constructor(checkInDate: string, today: string) {
    super(`The check-in date ${checkInDate} is before today (${today})`, { checkInDate, today });
  }
}
