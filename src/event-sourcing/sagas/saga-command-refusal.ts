import { DomainError } from '../domain/domain-error.js';
import { InvalidEventPayload } from '../store/event-store.errors.js';

/** Why a saga's command failed for good, as it is recorded with the command and handed to the saga. */
export interface SagaCommandRefusal {
  readonly code: string;
  readonly message: string;
  /** The `DomainError`'s kind; none for a refusal that is not the aggregate's rule. */
  readonly kind?: string;
}

/** The `InvalidEventPayload` an error is, or was caused by (a wrapper may name the command it failed in). */
const invalidPayloadIn = (error: unknown): InvalidEventPayload | null => {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (cause instanceof InvalidEventPayload) return cause;
  }
  return null;
};

/**
 * Whether a saga's command failed for good, and why: its aggregate refused it (a `DomainError`),
 * or the events it decided do not fit their own payload schemas (`InvalidEventPayload`: the
 * saga sent what the aggregate cannot store, a bug no second sending fixes). Either way the
 * saga is handed a `command.refused` and may compensate, instead of the command being sent again
 * for ever while its instance's later commands wait behind it. Null for any other failure (a
 * deadlock, the database gone): it is sent again.
 */
export const refusalOf = (error: unknown): SagaCommandRefusal | null => {
  if (error instanceof DomainError) return { code: error.code, message: error.message, kind: error.kind };
  const invalid = invalidPayloadIn(error);
  return invalid ? { code: invalid.code, message: invalid.message } : null;
};
