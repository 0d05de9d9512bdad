import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The environment a child process of the built app starts from: this one's, without what
 * each test sets for itself (database, broker, port, role) or what would break a child (ts-jest's
 * NODE_OPTIONS).
 */
export const childEnvironment = (): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !['DATABASE_URL', 'AMQP_URL', 'PORT', 'NODE_OPTIONS', 'ROLE'].includes(key)),
  );

/** A TCP port nobody listens on at the moment. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const CLI = 'dist/src/cli/cli.js';

/** The built CLI running on a database: what it has printed so far, and its exit. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<CliRun>;
}

/** Starts the built CLI on a database (killed after `killAfterMs`). */
export const spawnCli = (databaseUrl: string, args: readonly string[], killAfterMs = 20_000): RunningCli => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.build.json; npm test does it)`);
  const env = { ...childEnvironment(), DATABASE_URL: databaseUrl };
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
};

/**
 * Runs the built CLI on a database and waits for it to exit (killed after 45 s: a process that
 * starts an app context took over 20 s on CI's busiest minutes).
 */
export const runCli = (databaseUrl: string, args: readonly string[]): Promise<CliRun> => spawnCli(databaseUrl, args, 45_000).exited;
