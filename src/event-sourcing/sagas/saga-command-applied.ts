import type { AppendSideWrite } from '../store/append-side-write.js';

/** SQLSTATE of `saga_command_outcome_kept` (migration 20): the command's outcome was recorded already. */
export const OUTCOME_RECORDED = 'SC001';

/** A write that tried to replace a saga command's recorded outcome, and was refused by the database. */
export const isOutcomeRecorded = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === OUTCOME_RECORDED;

/**
 * Marks the saga command applied, as a write that commits with its events (`recordedWith`):
 * the events stored and the command marked are one write. If the command has an outcome
 * already (an operator's give-up recorded it refused while this send was under way), the
 * database refuses the mark (`isOutcomeRecorded`), and the events with it: so it does not skip
 * a command with an outcome (no `sent_at IS NULL`), it must meet the refusal. If the events
 * commit first, the give-up finds the command sent.
 */
export const markedApplied = (commandId: string): AppendSideWrite => ({
  sql: (parameters, ifAppended) =>
    `UPDATE saga_commands SET sent_at = clock_timestamp(), outcome = 'applied' WHERE command_id = ${parameters.add(commandId)} AND ${ifAppended}`,
});
