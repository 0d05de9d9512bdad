import { CheckInDateInPast, InvalidCheckInDate, InvalidNights } from './reservation.errors.js';

export const MIN_NIGHTS = 1;
export const MAX_NIGHTS = 365;

const isCalendarDate = (value: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

/**
 * The rules every stay obeys, at creation and at each change: a real calendar day not
 * before today (UTC, from the command's time), and 1–365 whole nights.
 */
export const checkStay = (checkInDate: string, nights: number, now: string): void => {
  if (!Number.isInteger(nights) || nights < MIN_NIGHTS || nights > MAX_NIGHTS) throw new InvalidNights(nights);
  if (!isCalendarDate(checkInDate)) throw new InvalidCheckInDate(checkInDate);
  const today = now.slice(0, 10);
  if (checkInDate < today) throw new CheckInDateInPast(checkInDate, today);
};

/** The nights a stay covers, as calendar days: check-in day up to the day before check-out. */
export const nightsOf = (checkInDate: string, nights: number): string[] =>
  Array.from({ length: nights }, (_, index) => {
    const day = new Date(`${checkInDate}T00:00:00Z`);
    day.setUTCDate(day.getUTCDate() + index);
    return day.toISOString().slice(0, 10);
  });
