/**
 * A place in the global log. The log is ordered by (transactionId, position): a
 * transaction's id is fixed before it commits, and only transactions older than every
 * open one are read, so nothing can later appear behind a cursor.
 */
export interface LogCursor {
  readonly transactionId: string;
  readonly position: number;
}

export const LOG_START: LogCursor = { transactionId: '0', position: 0 };

export const encodeLogCursor = (cursor: LogCursor): string => `${cursor.transactionId}:${cursor.position}`;

/** The largest transaction id PostgreSQL's xid8 holds; a bigger one is no cursor of ours. */
const MAX_TRANSACTION_ID = 2n ** 64n - 1n;

export const decodeLogCursor = (text: string): LogCursor | null => {
  const match = /^(\d{1,20}):(\d{1,16})$/.exec(text);
  if (!match || BigInt(match[1]) > MAX_TRANSACTION_ID) return null;
  return { transactionId: match[1], position: Number(match[2]) };
};

/** Decimal text of a transaction id as PostgreSQL writes it: no leading zero. */
const isPlain = (id: string): boolean => id.length === 1 || id.charCodeAt(0) !== 48;

const compareTransactionIds = (a: string, b: string): number => {
  if (a === b) return 0;
  // Plain decimal texts order by length, then as text: no BigInt per comparison (a merge of a
  // page's partitions compares thousands of events). Anything else (a cursor a client wrote
  // with leading zeros) by value.
  if (isPlain(a) && isPlain(b)) return a.length !== b.length ? (a.length < b.length ? -1 : 1) : a < b ? -1 : 1;
  const byValue = BigInt(a) - BigInt(b);
  return byValue === 0n ? 0 : byValue < 0n ? -1 : 1;
};

export const compareLogCursors = (a: LogCursor, b: LogCursor): number => {
  const byTransaction = compareTransactionIds(a.transactionId, b.transactionId);
  return byTransaction !== 0 ? byTransaction : a.position - b.position;
};
