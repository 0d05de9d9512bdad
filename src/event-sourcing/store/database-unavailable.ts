/**
 * PostgreSQL went away or would not take a connection (a failover, a restart, an operator
 * ending backends or closing the database): Node's socket errors, pg's own messages for a
 * connection that ended, SQLSTATE classes 08 (connection exception) and 57P01-57P03 (shutdown,
 * crash, cannot connect now), class 53 (insufficient resources: a full disk, out of memory, too
 * many connections, a configured limit such as temp_file_limit), and the refusal of a database whose
 * connections are turned off (ALLOW_CONNECTIONS false: SQLSTATE 55000, which other statements
 * use too, so its message is what tells it), and pg's own give-up on a server that stopped
 * answering mid-statement (`query_timeout`: the connection cannot be used again), and a server
 * that takes no writes (25006: a standby the pool reached during a failover, a database set
 * read-only). Not the work's fault: an HTTP request answers 503
 * (what was committed stays, the rest may be retried), an inbox message does not count it as an attempt.
 */
const CONNECTION_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '25006']);
const UNAVAILABLE_CLASS = /^(08|53)[0-9A-Z]{3}$/;
const CONNECTION_ERROR_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout$|database ".*" is not currently accepting connections$)/;
export const isDatabaseUnavailable = (error: unknown): boolean => {
  // By shape, not `instanceof Error`: Node's socket errors come from its own realm, which a VM context (Jest's) does not share.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = String(code ?? '');
  return CONNECTION_ERROR_CODES.has(text) || UNAVAILABLE_CLASS.test(text) || (typeof message === 'string' && CONNECTION_ERROR_MESSAGES.test(message));
};

/**
 * PostgreSQL cancelled the statement (57014): it ran past DB_STATEMENT_TIMEOUT_MS (a lock held
 * elsewhere, an overloaded server), or an operator cancelled it. Nothing of it was committed,
 * and the connection is still good.
 */
export const isStatementCancelled = (error: unknown): boolean => error instanceof Error && (error as { code?: unknown }).code === '57014';

/**
 * PostgreSQL gone, or too slow to answer in time: not the work's fault. Background work waits
 * and tries again without counting an attempt (a worker behind a long lock must not dead-letter
 * the event it waits with), and a command is not tried again at once (it would wait as long).
 */
export const isDatabaseStalled = (error: unknown): boolean => isDatabaseUnavailable(error) || isStatementCancelled(error);
