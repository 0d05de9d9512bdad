/**
 * The personal fields of an event type, as its registration declares them: `subject` names
 * the payload field holding the subject's id (a guest's id, say: stored as it is, since the
 * id alone tells nothing about the person), `fields` the top-level fields holding personal
 * data, stored sealed with the subject's key. Forgetting the subject deletes the key, and
 * from then on those fields read as `REDACTED` everywhere, while the events stay untouched.
 */
export interface PersonalFields {
  readonly subject: string;
  readonly fields: readonly string[];
}

/** What a personal field of a forgotten subject reads as. */
export const REDACTED = '[redacted]';

/**
 * How a reader is handed personal fields: `opened` (the default) with what they hold, or
 * `redacted`, as `REDACTED` whatever the subject, without reading a key or decrypting. For
 * readers that keep no personal data (a read model of counts, say): they never hold it, and
 * their reads skip the key lookups and the decryption.
 */
export type PersonalFieldsView = 'opened' | 'redacted';
