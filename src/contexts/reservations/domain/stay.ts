import { dayAfter, isCalendarDay } from '../../../event-sourcing/domain/index.js';
import { CheckInDateInPast, InvalidCheckInDate, InvalidNights, StayBeyondCalendar } from './reservation.errors.js';

export const MIN_NIGHTS = 1;
export const MAX_NIGHTS = 365;

/** The day the guest leaves: the day after the last night. */
export const checkOutOf = (checkInDate: string, nights: number): string => dayAfter(checkInDate, nights);

/**
 * The rules every stay obeys, at creation and at each change: a real calendar day not
 * before today (UTC, from the command's time), 1–365 whole nights, and a check-out day in
 * the calendar too (by 9999-12-31).
 */
export const checkStay = (checkInDate: string, nights: number, now: string): void => {
  if (!Number.isInteger(nights) || nights < MIN_NIGHTS || nights > MAX_NIGHTS) throw new InvalidNights(nights);
  if (!isCalendarDay(checkInDate)) throw new InvalidCheckInDate(checkInDate);
  const today = now.slice(0, 10);
  if (checkInDate < today) throw new CheckInDateInPast(checkInDate, today);
  if (!isCalendarDay(checkOutOf(checkInDate, nights))) throw new StayBeyondCalendar(checkInDate, nights);
};

/** The nights a stay covers, as calendar days: check-in day up to the day before check-out. */
export const nightsOf = (checkInDate: string, nights: number): string[] =>
  Array.from({ length: nights }, (_, index) => dayAfter(checkInDate, index));
