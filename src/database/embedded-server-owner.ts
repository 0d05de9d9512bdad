import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isAlive } from './process-alive.js';

/**
 * Which process started the embedded server on a data directory: its pid, in a file beside
 * PostgreSQL's own lock. A server whose owner still runs is in use (another `npm start`, the
 * app an operator's `npm run cli` talks to); one whose owner is gone is an orphan of a crash.
 */
const ownerFile = (dataDir: string): string => resolve(dataDir, 'chronicle.owner');

/** The pid of the running process that started the server on `dataDir`, if there is one. */
export const liveOwner = (dataDir: string): number | undefined => {
  let pid: number;
  try {
    pid = Number(readFileSync(ownerFile(dataDir), 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : undefined;
};

export const claimServer = (dataDir: string): void => writeFileSync(ownerFile(dataDir), `${process.pid}\n`);

export const releaseServer = (dataDir: string): void => rmSync(ownerFile(dataDir), { force: true });
