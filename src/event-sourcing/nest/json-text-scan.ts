import { MAX_BODY_DEPTH, MAX_FIELDS, type InputProblem } from './unreasonable-input.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The depth and field limits, checked on UTF-8 JSON text before it is decoded and parsed:
 * those cost the one thread milliseconds for a megabyte of small fields, this scan stops at
 * the 1,001st. It counts the first field of each object or array and each comma after,
 * outside strings (every byte of a multi-byte character is 0x80 or above, so never one of
 * these): text within the limits always passes; malformed text may pass, for the parser to
 * refuse next.
 */
export const problemInJsonText = (text: Uint8Array): InputProblem | null => {
  let depth = 0;
  let fields = 0;
  let inString = false;
  let justOpened = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (isWhitespace(c)) continue;
    const firstField = justOpened && c !== CLOSE_OBJECT && c !== CLOSE_ARRAY;
    if ((firstField || c === COMMA) && ++fields > MAX_FIELDS) return { code: 'TOO_MANY_FIELDS' };
    justOpened = false;
    if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth >= MAX_BODY_DEPTH) return { code: 'BODY_TOO_DEEP' };
      depth++;
      justOpened = true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return null;
};
