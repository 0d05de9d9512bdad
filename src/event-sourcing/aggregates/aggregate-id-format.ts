/**
 * The one way an aggregate's ids are written. Streams are addressed by the id's text, so an id
 * in another spelling (a UUID in capitals) is another aggregate, and one its routes cannot take
 * is one nobody can reach again: every way in (its routes, the events API) checks this one.
 */
export interface AggregateIdFormat {
  readonly pattern: RegExp;
  /** What the id must be, for refusals: "a UUID in lower case". */
  readonly description: string;
}

/** Any UUID, written in lower case (as `randomUUID()` makes them). */
export const LOWER_CASE_UUID: AggregateIdFormat = {
  pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  description: 'a UUID in lower case',
};
