/**
 * `.` and `..` as a whole path segment: URL parsers (browsers, fetch, curl) resolve them before
 * a request is sent, so a resource whose id is one of them cannot be addressed by any route or
 * page (the event browser's `/v1/admin/streams/…/user/..` went out as `/v1/admin/streams/…/`).
 * Ids that end up in paths refuse them where they are first written.
 */
export const isDotSegment = (text: string): boolean => text === '.' || text === '..';

/**
 * The same rule for `@Matches`: anything but a dot segment (a first character that is no dot,
 * a second that is none, or three characters or more). No lookahead: fast-check's
 * `stringMatching` makes test bodies from it.
 */
export const NOT_A_DOT_SEGMENT = /^(?:[^.][\s\S]*|[\s\S][^.][\s\S]*|[\s\S]{3,})$/;
