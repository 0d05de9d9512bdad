/**
 * What the writer believes about the stream before appending:
 * - `any`: no check;
 * - `no_stream`: the stream must not exist yet;
 * - `stream_exists`: the stream must have at least one event;
 * - a number: the stream's current version must be exactly that (0 = empty).
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

export const describeExpectedVersion = (expected: ExpectedVersion): string =>
  typeof expected === 'number' ? `version ${expected}` : expected;

export const isExpectedVersionMet = (expected: ExpectedVersion, actual: number): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 0;
    case 'stream_exists':
      return actual > 0;
    default:
      return actual === expected;
  }
};

/** Encoding used by the SQL append function: -1 any, -2 no stream, -3 stream exists. */
export const expectedVersionCode = (expected: ExpectedVersion): number => {
  switch (expected) {
    case 'any':
      return -1;
    case 'no_stream':
      return -2;
    case 'stream_exists':
      return -3;
    default:
      return expected;
  }
};

/** A version the caller may expect: a keyword or a whole number from 0 up. */
export const isValidExpectedVersion = (expected: unknown): expected is ExpectedVersion =>
  expected === 'any' ||
  expected === 'no_stream' ||
  expected === 'stream_exists' ||
  (typeof expected === 'number' && Number.isInteger(expected) && expected >= 0 && expected <= 2_147_483_647);
