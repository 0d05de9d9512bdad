/** A day as written in requests, events and rows: YYYY-MM-DD (see `isCalendarDay`). */
export type CalendarDay = string;

/** The shape of a calendar day; `isCalendarDay` also checks that the day exists. */
export const CALENDAR_DAY_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether `value` is a real day, 0001-01-01 to 9999-12-31: the days PostgreSQL's `date`
 * and JavaScript's ISO strings both write as YYYY-MM-DD (PostgreSQL has no year 0).
 */
export const isCalendarDay = (value: string): boolean => {
  if (!CALENDAR_DAY_FORMAT.test(value) || value.startsWith('0000')) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

/** The day `days` after a calendar day; past 9999-12-31 it is no calendar day (`+010000-01-01`). */
export const dayAfter = (day: string, days: number): string => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
};
