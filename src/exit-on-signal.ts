import { constants } from 'node:os';

/**
 * Runs `work` with SIGINT and SIGTERM ending the process through `process.exit` (code 128 + the
 * signal's number), and gives the signals back when it settles. Node's default for them ends the
 * process without its 'exit' handlers, and the embedded PostgreSQL it started (in a process group
 * of its own, which a terminal's Ctrl-C does not reach) would run on: its exit handler stops it.
 * For a start, until Nest's shutdown hooks take the signals over, and for one-shot scripts.
 */
export const exitOnSignalDuring = async <T>(work: () => Promise<T>): Promise<T> => {
  const exit = (signal: NodeJS.Signals): never => process.exit(128 + constants.signals[signal]);
  process.once('SIGINT', exit);
  process.once('SIGTERM', exit);
  try {
    return await work();
  } finally {
    process.off('SIGINT', exit);
    process.off('SIGTERM', exit);
  }
};
