import { isDotSegment, isStorableText } from '../event-sourcing/domain/index.js';

const MAX_USER_ID_LENGTH = 255;

/**
 * Whether a caller's user id is one the app takes: 1 to 255 characters of text PostgreSQL can
 * store, and not `.` or `..` (no URL can address a member or profile of that id). Ids go to shared statements (the membership lookup) and into events. The guard refuses
 * any other, and the development token refuses to sign one: it would print a token every request
 * refuses.
 */
export const isUserId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_USER_ID_LENGTH && isStorableText(value) && !isDotSegment(value);

export const USER_ID_RULE = `1 to ${MAX_USER_ID_LENGTH} characters, without NUL (U+0000) or half of a surrogate pair, and not . or ..`;
