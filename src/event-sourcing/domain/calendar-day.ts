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

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Counts the day `days` after a calendar day. Date does the arithmetic on the parsed fields, and
 * the day is written from its fields: parsing `${day}T00:00:00Z` and `toISOString` cost four
 * times as much. Anything else (a malformed day, a fractional count) takes the parse, which
 * answers or throws as it always did.
 */
const countDays = (day: string, days: number): string => {
  const month = Number(day.slice(5, 7));
  const dayOfMonth = Number(day.slice(8, 10));
  const date = new Date(0);
  // Date.parse takes days 29–31 of any month (rolling over) but no month 13 or day 0; a
  // fractional `days` is truncated after the roll-over, so it takes the parse too.
  const plain = CALENDAR_DAY_FORMAT.test(day) && Number.isInteger(days);
  if (plain && month >= 1 && month <= 12 && dayOfMonth >= 1 && dayOfMonth <= 31) {
    date.setUTCFullYear(Number(day.slice(0, 4)), month - 1, dayOfMonth + days);
  } else {
    date.setTime(Date.parse(`${day}T00:00:00Z`));
    date.setUTCDate(date.getUTCDate() + days);
  }
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return date.toISOString().slice(0, 10);
  return `${String(year).padStart(4, '0')}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())}`;
};

// A fold such as occupancy asks for every night of every stay it moves, and a log holds the
// same few thousand days again and again: the days up to a year after each day asked about are
// remembered (forgotten all at once past REMEMBERED_DAYS days), a lookup instead of a count.
const REMEMBERED_DAYS = 2_000;
const REMEMBERED_SPAN = 366;
const daysAfter = new Map<string, string[]>();

/** The day `days` after a calendar day; past 9999-12-31 it is no calendar day (`+010000-01-01`). */
export const dayAfter = (day: string, days: number): string => {
  if (!(days >= 0 && days < REMEMBERED_SPAN && Number.isInteger(days))) return countDays(day, days);
  let after = daysAfter.get(day);
  if (!after) {
    if (daysAfter.size >= REMEMBERED_DAYS) daysAfter.clear();
    daysAfter.set(day, (after = []));
  }
  return (after[days] ??= countDays(day, days));
};
