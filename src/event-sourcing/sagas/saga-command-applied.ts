/** SQLSTATE of `saga_command_outcome_kept` (migration 20): the command's outcome was recorded already. */
export const OUTCOME_RECORDED = 'SC001';

/** A write that tried to replace a saga command's recorded outcome, and was refused by the database. */
export const isOutcomeRecorded = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === OUTCOME_RECORDED;

