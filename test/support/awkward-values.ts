import fc from 'fast-check';

/**
 * Values that trip parsers, PostgreSQL or date libraries, as fast-check arbitraries: as raw
 * JSON text (for a body field: numbers beyond what JSON.stringify writes included) or as
 * URL text (for a path or query parameter: lone surrogates as invalid UTF-8 included).
 * Each kind of field gets mostly values like its valid one, sometimes anything.
 */
export type ValueKind = 'day' | 'instant' | 'number' | 'text';

export const kindOf = (valid: unknown): ValueKind => {
  if (typeof valid === 'number' || (typeof valid === 'string' && /^\d+(:\d+)?$/.test(valid))) return 'number';
  if (typeof valid === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(valid)) return 'day';
  if (typeof valid === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(valid)) return 'instant';
  return 'text';
};

const awkwardUnit = fc.constantFrom(
  ...['\u0000', '\ud800', '\udfff', '\ud83d', '\ude00', 'é', '😀', ' ', '\n', '%', '/', '?', '#', '&', '='],
  ...['+', '.', ':', '\\', '"', "'", '-', ',', '0', '9', 'a', 'T', 'W', 'Z'],
);
const text = fc.oneof(
  fc.string({ unit: awkwardUnit, maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('', ' ', 'x'.repeat(256), 'x'.repeat(501), 'null', 'owner', 'cancelled', 'reservation.created', 'occupancy'),
);

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const year = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 1, 2026, 9999));
const month = fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constantFrom(1, 2, 12));
const dayOfMonth = fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constantFrom(1, 28, 29, 30, 31));
const day = fc.tuple(year, month, dayOfMonth).map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
const time = fc.constantFrom('', 'T10', 'T10:00', 'T10:00:00', 'T24:00:00', 'T23:59:60', 'T10:00:00.123456789', 'T10:00:00,5', ' 10:00');
const zone = fc.constantFrom('', 'Z', 'z', '+00', '+00:00', '-14:00', '+99:99', '+0530');
const instant = fc.tuple(day, time, zone).map((parts) => parts.join(''));
const KNOWN_DAYS = ['9999-12-31', '9999-12-30', '0000-01-01', '0001-01-01', '10000-01-01', '2026-02-30', '-002026-12-05'];
const KNOWN_INSTANTS = [
  ...['2026-12-05T10', '2026-W01', '2026-W01-1', '2026-123', '2026-12-05T10:00:00+00', '2026-12-05T10:00:00,5Z'],
  ...['-002026-12-05T10:00:00Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '9999-12-31T23:59:59.999999Z', '2026-12-05'],
];
const KNOWN_NUMBERS = ['0', '-1', '1.5', '365', '366', '2147483648', '9007199254740993', '1e400', '-1e400', '1e-400', '-0'];
const number = fc.oneof(
  fc.integer().map(String),
  fc.double().map((n) => JSON.stringify(n)),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom(...KNOWN_NUMBERS),
);

const jsonAnything = fc.oneof(
  text.map((value) => JSON.stringify(value)),
  instant.map((value) => JSON.stringify(value)),
  number,
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('null', 'true', 'false', '[]', '{}', '[""]', '{"a":{"b":[1,{"c":null}]}}'),
);
const JSON_LIKE: Record<ValueKind, fc.Arbitrary<string>> = {
  day: fc.oneof(day, instant, fc.constantFrom(...KNOWN_DAYS)).map((value) => JSON.stringify(value)),
  instant: fc.oneof(instant, fc.constantFrom(...KNOWN_INSTANTS)).map((value) => JSON.stringify(value)),
  number,
  text: text.map((value) => JSON.stringify(value)),
};

/** Raw JSON text for a field whose valid value is of this kind. */
export const jsonTextLike = (kind: ValueKind): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: JSON_LIKE[kind] }, { weight: 1, arbitrary: jsonAnything });

/** Percent-encodes any string, a lone surrogate as its three generalized UTF-8 bytes (invalid UTF-8, as a client may send). */
export const percentEncoded = (value: string): string =>
  [...value]
    .map((char) => {
      const unit = char.charCodeAt(0);
      if (char.length > 1 || unit < 0xd800 || unit > 0xdfff) return encodeURIComponent(char);
      return [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    })
    .join('');

const BROKEN_ENCODINGS = ['%', '%zz', '%FF', '%C0%80', '%ED%A0%80', '%00', '..', '%2F', 'a%26b%3Dc'];
const URL_LIKE: Record<ValueKind, fc.Arbitrary<string>> = {
  day: fc.oneof(day, instant, fc.constantFrom(...KNOWN_DAYS)),
  instant: fc.oneof(instant, fc.constantFrom(...KNOWN_INSTANTS)),
  number,
  text,
};

/** URL text for a path or query parameter whose valid value is of this kind. */
export const urlTextLike = (kind: ValueKind): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: URL_LIKE[kind].map(percentEncoded) },
    { weight: 1, arbitrary: fc.oneof(text, instant, number).map(percentEncoded) },
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN_ENCODINGS) },
  );

const KNOWN: Record<ValueKind, readonly string[]> = {
  day: KNOWN_DAYS,
  instant: KNOWN_INSTANTS,
  number: KNOWN_NUMBERS,
  text: ['\u0000', 'a\ud800', '\udfff', 'x'.repeat(501), ''],
};

/** Values known to have answered 500 once, tried on every field of their kind before the random ones. */
export const knownJsonTexts = (kind: ValueKind): string[] =>
  kind === 'number' ? [...KNOWN_NUMBERS, '"1"', 'null'] : KNOWN[kind].map((value) => JSON.stringify(value));

export const knownUrlTexts = (kind: ValueKind): string[] => [...KNOWN[kind].map(percentEncoded), ...(kind === 'text' ? ['%FF', '%C0%80'] : [])];
