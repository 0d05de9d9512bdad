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
