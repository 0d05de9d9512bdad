import { createHash } from 'node:crypto';
import type { RecordedEvent } from './event-envelope.js';

/**
 * An event about to be appended at a version the caller pinned: everything the stored event
 * will be except where it lands in the global log, which only the insert decides.
 */
export type PendingEvent = Omit<RecordedEvent, 'position' | 'recordedAt' | 'transactionId'>;

/** The parameters of one statement under construction: each value added becomes `$n`. */
export class StatementParameters {
  constructor(readonly values: unknown[]) {}

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * A write that commits together with an append because it is part of the append's own
 * statement (one round trip, one implicit transaction: no BEGIN and COMMIT to send).
 */
export interface AppendSideWrite {
  /**
   * One INSERT, UPDATE or DELETE that carries `ifAppended` in its WHERE clause, so it writes
   * nothing when the append is refused. An error in it fails the append too.
   */
  readonly sql: (parameters: StatementParameters, ifAppended: string) => string;
  /** The same write as one row of a statement part that many appends share; absent, its append goes alone. */
  readonly shared?: SharedSideWrite;
}

/**
 * A side write that can share one statement part with others of its shape, each row
 * guarded by its own append: how the event store commits many commands in one statement.
 */
export interface SharedSideWrite {
  /** Writes of one shape (table, kind of write, columns) go in one statement part. */
  readonly shape: string;
  /** The row it writes: two writes of one row never share a statement. */
  readonly target: string;
  /** The row's values as JSON: a put's whole row, a set's key and columns, a removal's key. */
  readonly row: Readonly<Record<string, unknown>>;
  /**
   * The statement part for every write of this shape. `rows` is a `json` parameter: an array
   * of `{ "event": uuid, "row": {…} }`; a row is written only if `event` is in `appended`,
   * a relation of the appended events' `event_id`.
   */
  readonly part: (rows: string, appended: string) => string;
}

export interface SideWriteStatement {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

const IF_APPENDED = 'EXISTS (SELECT FROM appended)';

// Statement texts differ only by the shape of their side writes (tables, columns set), so
// there are few of them: each is named once, and PostgreSQL plans it once per connection.
const names = new Map<string, string>();
export const statementNameOf = (text: string): string => {
  let name = names.get(text);
  if (name === undefined) {
    name = `chronicle_append_with_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
};

/**
 * The append statement with side writes as data-modifying CTEs after it. Every part sees the
 * same database snapshot and none sees another's rows; the side writes wait for the append's
 * RETURNING rows through `ifAppended`, and the statement returns the append's rows alone.
 */
export const withSideWrites = (append: SideWriteStatement, writes: readonly AppendSideWrite[]): SideWriteStatement => {
  if (writes.length === 0) return append;
  const parameters = new StatementParameters([...append.values]);
  const parts = writes.map((write, index) => `side_write_${index} AS (${write.sql(parameters, IF_APPENDED)})`);
  const text = `WITH appended AS (${append.text}),\n${parts.join(',\n')}\nSELECT * FROM appended`;
  return { name: statementNameOf(text), text, values: parameters.values };
};

/**
 * A side write as a statement of its own, in the transaction of an append that was accepted
 * (not a retry), so `ifAppended` holds: how it commits with the events where they are appended
 * in a transaction (inline projections that run their own SQL) rather than in one statement.
 */
export const sideWriteAfterAppend = (write: AppendSideWrite): { readonly text: string; readonly values: unknown[] } => {
  const parameters = new StatementParameters([]);
  return { text: write.sql(parameters, 'true'), values: parameters.values };
};
