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

export const compareLogCursors = (a: LogCursor, b: LogCursor): number => {
  const byTransaction = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (byTransaction !== 0n) return byTransaction < 0n ? -1 : 1;
  return a.position - b.position;
};
