/** Half of a UTF-16 surrogate pair without its other half (the regex works on code units: no `u` flag). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE.source}`, 'g');

/**
 * Whether PostgreSQL can hold the text: text and jsonb refuse a NUL character (U+0000), and
 * jsonb a lone surrogate (`"\ud800"`), which text would silently turn into U+FFFD. One such
 * value fails a whole statement, with every other request that shares it, so ids and fields
 * are checked where they enter, before any statement is built.
 */
export const isStorableText = (text: string): boolean => !text.includes('\u0000') && !LONE_SURROGATE.test(text);

/**
 * The text with each NUL and lone surrogate replaced by U+FFFD, as text stores a lone surrogate
 * anyway: for what is only shown (an error message, a routing key), never for a key or an id,
 * where two different values would become one.
 */
export const storableText = (text: string): string => text.replace(UNSTORABLE, '\ufffd');
