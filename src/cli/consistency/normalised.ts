/** Each column's type as `pg_type` names it (`text`, `int8`, `timestamptz`; `_text` for text[]). */
export type ColumnTypes = ReadonlyMap<string, string>;

const NUMERIC = new Set(['int2', 'int4', 'int8', 'oid', 'numeric', 'float4', 'float8']);
const INSTANT = new Set(['timestamptz', 'timestamp']);
const JSON_TYPES = new Set(['json', 'jsonb']);
/** A decimal's text: sign, integer digits (leading zeros apart), fraction (trailing zeros apart). */
const DECIMAL = /^([+-]?)0*(\d*)(?:\.(\d*?)0*)?$/;

/** 5.5 and numeric(…, 2)'s '5.50' are one number, as PostgreSQL itself compares them; '1e21' stays as written. */
const decimal = (text: string): string => {
  const parts = DECIMAL.exec(text);
  if (!parts || !/\d/.test(text)) return text;
  const [, sign, whole, fraction] = parts;
  const digits = `${whole || '0'}${fraction ? `.${fraction}` : ''}`;
  return sign === '-' && digits !== '0' ? `-${digits}` : digits;
};

/** A timestamp column reads back as a Date for the ISO string the events held. */
const instant = (value: unknown): string => {
  const time = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isNaN(time) ? String(value) : new Date(time).toISOString();
};

/** jsonb keeps no key order; the values inside stay as they are. */
const sortedJson = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, inner]) => [key, sortedJson(inner)]));
};

/** What pg sends for a value written to a text column: strings as they are, others as their text. */
const asText = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);

/**
 * A value in one form for its column's type: a fold yields what the events say (ISO strings, JS
 * numbers) and pg returns what the column holds (Dates, int8 and numeric as strings), so a value
 * stored faithfully compares equal to the one the events produce. Only the column's type decides:
 * a text column's value is compared as the exact text, so '1.10' and '1.1', two user ids, stay two.
 */
export const normalised = (value: unknown, type: string | undefined): unknown => {
  if (value === null || value === undefined) return null;
  if (type === undefined) return asText(value);
  if (type.startsWith('_') && Array.isArray(value)) return value.map((item) => normalised(item, type.slice(1)));
  if (NUMERIC.has(type)) return decimal(String(value));
  if (INSTANT.has(type)) return instant(value);
  if (JSON_TYPES.has(type)) return sortedJson(value);
  if (type === 'uuid') return asText(value).toLowerCase();
  return asText(value);
};

/** The value as the differences print it, and as values of one column are compared. */
export const comparable = (value: unknown, type: string | undefined): string => JSON.stringify(normalised(value, type));

/** A row's key in one form: equal exactly when the key columns' values are equal. */
export const keyText = (key: readonly unknown[], keyColumns: readonly string[], types: ColumnTypes): string =>
  JSON.stringify(key.map((value, i) => normalised(value, types.get(keyColumns[i]))));
