/**
 * The statements a reservation command may send, in the order it sends them, named by step.
 * Today a create or confirm sends the guard's lookup and one append statement, alone or (under
 * load) shared with other commands' appends; BEGIN, the projection's statements and COMMIT
 * appear only for inline projections that must read rows.
 */
const STEPS: readonly (readonly [RegExp, string])[] = [
  [/practice_members/, 'guard: membership SELECT'],
  [/FROM snapshots/, 'load: snapshot + stream SELECT (skipped for a remembered or new stream)'],
  [/^BEGIN/, 'txn: BEGIN'],
  [/chronicle_append_shared/, 'txn: appends of several commands + their read-model rows, one statement (group commit)'],
  [/chronicle_append/, 'txn: append + inline read model + snapshot, one statement (chronicle_append)'],
  [/^SELECT \* FROM reservations /, 'txn: inline projection SELECT'],
  [/^DELETE FROM reservations /, 'txn: inline projection DELETE'],
  [/^INSERT INTO reservations /, 'txn: inline projection upsert'],
  [/^INSERT INTO snapshots/, 'txn: snapshot save'],
  [/^COMMIT/, 'txn: COMMIT'],
  [/pg_notify/, 'after commit: NOTIFY (not awaited)'],
];

export const POOL_CHECKOUT = 'pool checkout';
/** Statements sent after the answer is on its way; they cost capacity, not latency. */
export const NOT_AWAITED = new Set(['after commit: NOTIFY (not awaited)']);

export const classifyStatement = (sql: string): string => {
  const text = sql.trim();
  const known = STEPS.find(([pattern]) => pattern.test(text));
  return known ? known[1] : `other: ${text.replace(/\s+/g, ' ').slice(0, 40)}`;
};

/** Pipeline order for reports: the pool first (every statement may wait for it), then STEPS, then the rest. */
export const stepOrder = (step: string): number => {
  if (step === POOL_CHECKOUT) return -1;
  const index = STEPS.findIndex(([, name]) => name === step);
  return index === -1 ? STEPS.length : index;
};
