import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The server that PostgreSQL's lock file in a data directory names, verified to be running. */
export interface RunningPostmaster {
  readonly pid: number;
  readonly port: number;
}

/** `/proc/<pid>/cmdline` where there is one (Linux), else what `ps` says; undefined if neither can tell. */
const commandLineOf = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    // no /proc (macOS), or no such process
  }
  if (existsSync('/proc/self')) return undefined;
  try {
    return execFileSync('ps', ['-ww', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
};

/**
 * The postmaster of `dataDir`, if `postmaster.pid` names one that runs: the process must be a
 * `postgres` started with `-D <dataDir>`, and the lock file must name that directory. After a
 * crash the file survives, and its pid may belong to any other program by now: that one is
 * never taken for the server (nor signalled); the lock is stale.
 */
export const runningPostmaster = (dataDir: string): RunningPostmaster | undefined => {
  const directory = resolve(dataDir);
  let lines: string[];
  try {
    lines = readFileSync(resolve(directory, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || lines[1] !== directory) return undefined;
  // As spawnServer runs it: `<binaries>/bin/postgres -D <dataDir> -p <port> …`.
  if (!commandLineOf(pid)?.includes(`postgres -D ${directory} -p `)) return undefined;
  return { pid, port: Number(lines[3]) };
};
