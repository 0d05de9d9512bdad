/** A timestamp as PostgreSQL or `toISOString` writes it: compared as the instant, not the text. */
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)$/;
const DECIMAL = /^-?\d+\.\d+$/;

/**
 * A column's value in one comparable form. A fold yields what the events say (ISO strings, JS
 * numbers) and pg returns what the column holds (Dates, bigint and numeric as strings), so a
 * value the database stored faithfully must compare equal to the one the events produce.
 */
export const normalised = (value: unknown): unknown => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') {
    if (INSTANT.test(value)) return new Date(value).toISOString();
    // numeric(…, 2) reads back as '5.50' for the 5.5 the events held
    if (DECIMAL.test(value)) return value.replace(/\.?0+$/, '');
    return value;
  }
  if (Array.isArray(value)) return value.map(normalised);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, inner]) => [key, normalised(inner)]));
  }
  return value;
};

/** The value as the differences print it, and as keys and values are compared. */
export const comparable = (value: unknown): string => JSON.stringify(normalised(value));
