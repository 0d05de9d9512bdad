import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

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

/** Starts a built script of the app with `args`, `env` on top of the test's and `nodeOptions` before it (killed after `killAfterMs`). */
const spawnBuilt = (script: string, args: readonly string[], env: Record<string, string>, killAfterMs: number, nodeOptions: readonly string[] = []): RunningCli => {
  if (!existsSync(script)) throw new Error(`${script} is missing: build first (npx tsc -p tsconfig.build.json; npm test does it)`);
  const child = spawn(process.execPath, [...nodeOptions, script, ...args], { env: { ...childEnvironment(), ...env }, stdio: 'pipe' });
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

/** Starts the built CLI on a database (killed after `killAfterMs`). */
export const spawnCli = (databaseUrl: string, args: readonly string[], killAfterMs = 20_000): RunningCli =>
  spawnBuilt(CLI, args, { DATABASE_URL: databaseUrl }, killAfterMs);

/**
 * Runs the built CLI on a database and waits for it to exit (killed after 45 s: a process that
 * starts an app context took over 20 s on CI's busiest minutes).
 */
export const runCli = (databaseUrl: string, args: readonly string[]): Promise<CliRun> => spawnCli(databaseUrl, args, 45_000).exited;

/**
 * Runs a built script of the app (`dist/src/main.js`, the CLI) with `args` and `env` (on top of
 * the test's), and tells which ES modules it loaded before it exited: what a quick answer costs.
 */
export const loadedModules = async (
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun & { readonly modules: readonly string[] }> => {
  const file = join(await mkdtemp(join(tmpdir(), 'loaded-modules-')), 'urls.txt');
  const hooks = pathToFileURL('test/support/loaded-modules.hooks.mjs').href;
  const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
  const run = await spawnBuilt(script, args, { ...env, LOADED_MODULES_FILE: file }, 45_000, ['--import', register]).exited;
  const modules = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  await rm(dirname(file), { recursive: true, force: true });
  return { ...run, modules };
};
