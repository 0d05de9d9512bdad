import { DomainError } from '../domain/domain-error.js';
import { ConcurrencyError, EventStoreError } from '../store/event-store.errors.js';

/**
 * How a command ended: `applied` (events appended, or a retry answered with the ones it appended),
 * `no-op` (decided nothing), `refused` (the aggregate threw a `DomainError`), `conflict` (the
 * stream moved on: a version precondition, or races lost past the retries), `error` (anything else: a bug,
 * the database). Operators count them per command; a rise of `error` or `conflict` is what pages.
 */
export type CommandResult = 'applied' | 'no-op' | 'refused' | 'conflict' | 'error';

export interface CommandOutcome {
  readonly aggregate: string;
  readonly command: string;
  readonly result: CommandResult;
  /**
   * The refusal's `DomainError` code, `CONCURRENCY_CONFLICT`, or an error the store raised's
   * code; empty otherwise. Codes are a fixed set, so safe as a metric label (messages are not).
   */
  readonly code: string;
}

type Classified = Pick<CommandOutcome, 'result' | 'code'>;

export const outcomeOfResult = (events: readonly unknown[]): Classified =>
  events.length === 0 ? { result: 'no-op', code: '' } : { result: 'applied', code: '' };

export const outcomeOfError = (error: unknown): Classified => {
  if (error instanceof DomainError) return { result: 'refused', code: error.code };
  if (error instanceof ConcurrencyError) return { result: 'conflict', code: error.code };
  if (error instanceof EventStoreError) return { result: 'error', code: error.code };
  return { result: 'error', code: '' };
};
