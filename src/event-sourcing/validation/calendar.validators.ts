import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isCalendarDay } from '../domain/calendar-day.js';

export const CALENDAR_DAY_MESSAGE = '$property must be a calendar day, YYYY-MM-DD';

/** ISO 8601 date and time as JavaScript's Date reads it (seconds, fraction and offset optional). */
const INSTANT_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A real day, 0001-01-01 to 9999-12-31. Not class-validator's IsISO8601: it also takes week
 * and ordinal dates and year 0000, which PostgreSQL's `date` refuses (a 500, not a 400).
 */
export const IsCalendarDay = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isCalendarDay',
      validator: {
        validate: (value) => typeof value === 'string' && isCalendarDay(value),
        defaultMessage: () => CALENDAR_DAY_MESSAGE,
      },
    },
    options,
  );

/**
 * A point in time that JavaScript's Date can read exactly: IsISO8601 passed `2026-12-05T10`,
 * `2026-W01` or `…+00`, which `new Date()` cannot read (an invalid date, then a 500).
 */
export const IsInstant = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value) =>
          typeof value === 'string' &&
          INSTANT_FORMAT.test(value) &&
          isCalendarDay(value.slice(0, 10)) &&
          !Number.isNaN(Date.parse(value)),
        defaultMessage: () => '$property must be an ISO 8601 date and time, e.g. 2027-03-01T12:00:00Z',
      },
    },
    options,
  );
