import { spawn, type ChildProcess } from 'node:child_process';
import { childEnvironment } from './processes.js';

/** The built app running as a process of its own (`node dist/src/main.js`, as `npm start` runs it). */
export interface Started {
  readonly child: ChildProcess;
  /** What it has written so far, stdout and stderr together. */
  readonly output: () => string;
}

/** Starts the built app with `env` on top of the test's; `detached`: it leads a process group of its own, as a shell's foreground job does. */
export const launchApp = (env: Record<string, string>, { detached = false } = {}): Started => {
  const child = spawn(process.execPath, ['dist/src/main.js'], { env: { ...childEnvironment(), ...env }, stdio: 'pipe', detached });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
};

/** Until the app has written `text`; fails with its output if it exits first or takes longer than `timeoutMs`. */
export const waitFor = async (started: Started, text: string, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null) throw new Error(`app exited early:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}":\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** How a child process ended, once it has. */
export const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

/** Whether a process of that id runs (signal 0 checks without sending one). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * For tests of the built app's processes: how it starts and stops (`npm start`, its embedded
 * server, its signals), and the CLI's commands, each a process that loads the app (~2 s). They
 * run on the fresh-machine run only (no DATABASE_URL): CI's second run, against the machine's
 * services, has a bounded time. The services the CLI's commands call (ProjectionAdmin,
 * SagaAdmin, InboxFailures, the store, check:consistency) are tested in both runs through the
 * admin routes and the other e2e tests; only events:tail's own query is not.
 */
export const describeOnFreshMachine: jest.Describe = process.env.DATABASE_URL ? describe.skip : describe;
