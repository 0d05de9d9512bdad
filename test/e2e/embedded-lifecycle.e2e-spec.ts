import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describeOnFreshMachine, exited, isAlive, launchApp as launch, waitFor, type Started } from '../support/app-process.js';
import { childEnvironment, freePort } from '../support/processes.js';

/**
 * The embedded PostgreSQL of `npm start`: a second `npm start` on one machine (two terminals,
 * the same defaults) must not take the database away from the first, which is serving; and a
 * Ctrl-C while the app starts must not leave the server it started running.
 */

describeOnFreshMachine('a second npm start while one runs (embedded PostgreSQL)', () => {
  const dataDir = `.data/second-start-${randomBytes(4).toString('hex')}`;
  let env: Record<string, string>;
  let first: Started | undefined;

  beforeAll(async () => {
    env = { PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_DIR: dataDir, LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    if (first && first.child.exitCode === null) {
      first.child.kill('SIGTERM');
      await exited(first.child);
    }
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  afterEach(async () => {
    if (first && first.child.exitCode === null) {
      first.child.kill('SIGTERM');
      await exited(first.child);
    }
  }, 60_000);

  it('refuses to start, and leaves the running one its database', async () => {
    first = launch({ ...env, LOG_LEVEL: 'log' });
    await waitFor(first, 'Chronicle is listening');
    expect((await fetch(`http://127.0.0.1:${env.PORT}/health/ready`)).status).toBe(200);

    // The same command again, in another terminal: same data directory, same ports.
    const second = launch(env);
    const { code } = await exited(second.child);
    expect(code).toBe(1); // it cannot have port PORT: the first one holds it

    // The first process still has its database.
    await new Promise((r) => setTimeout(r, 1_000));
    const ready = await fetch(`http://127.0.0.1:${env.PORT}/health/ready`);
    const body = await ready.text();
    expect({ status: ready.status, body, secondSaid: second.output().slice(0, 2_000) }).toEqual(
      expect.objectContaining({ status: 200 }),
    );
  }, 120_000);

  it('an operator command (npm run cli) leaves the running app its database', async () => {
    first = launch({ ...env, LOG_LEVEL: 'log' });
    await waitFor(first, 'Chronicle is listening');
    expect((await fetch(`http://127.0.0.1:${env.PORT}/health/ready`)).status).toBe(200);

    // operations.md's CLI, in another terminal, with the same defaults as the app.
    const cli = spawn(process.execPath, ['dist/src/cli/cli.js', 'projections:list'], {
      env: { ...childEnvironment(), EMBEDDED_PG_DIR: env.EMBEDDED_PG_DIR, EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT },
      stdio: 'pipe',
    });
    let cliSaid = '';
    cli.stdout!.on('data', (chunk: Buffer) => (cliSaid += chunk.toString()));
    cli.stderr!.on('data', (chunk: Buffer) => (cliSaid += chunk.toString()));
    const { code } = await exited(cli);

    await new Promise((r) => setTimeout(r, 1_000));
    const ready = await fetch(`http://127.0.0.1:${env.PORT}/health/ready`);
    expect({ status: ready.status, body: await ready.text(), cliCode: code, cliSaid: cliSaid.slice(0, 1_000) }).toEqual(
      expect.objectContaining({ status: 200, cliCode: 0 }),
    );
  }, 120_000);
});

describeOnFreshMachine('npm start after a machine crash, its lock file naming a process id now used by another program', () => {
  const dataDir = `.data/stale-lock-${randomBytes(4).toString('hex')}`;
  let env: Record<string, string>;
  let app: Started | undefined;
  let bystander: ChildProcess | undefined;

  beforeAll(async () => {
    env = { PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_DIR: dataDir };
  });
  afterAll(async () => {
    bystander?.kill('SIGKILL');
    if (app && app.child.exitCode === null) {
      app.child.kill('SIGTERM');
      await exited(app.child);
    }
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('leaves that program alone', async () => {
    // A cluster that ran before, stopped cleanly.
    app = launch(env);
    await waitFor(app, 'Chronicle is listening');
    app.child.kill('SIGTERM');
    await exited(app.child);
    expect(existsSync(`${dataDir}/postmaster.pid`)).toBe(false);

    // The machine crashed with the server up: its lock file stays. After the reboot, the
    // process id it names belongs to some other program (here a `sleep`).
    bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
    const pid = bystander.pid!;
    writeFileSync(`${dataDir}/postmaster.pid`, `${pid}\n${process.cwd()}/${dataDir}\n1700000000\n${env.EMBEDDED_PG_PORT}\n/tmp\n127.0.0.1\n  5432001    131072\nready   \n`);

    app = launch(env);
    await waitFor(app, 'Chronicle is listening');
    await new Promise((r) => setTimeout(r, 500));
    expect({ bystanderAlive: isAlive(pid), bystanderKilledBy: bystander.signalCode, appSaid: app.output().match(/stopping a server[^"]*/)?.[0] }).toEqual(
      expect.objectContaining({ bystanderAlive: true, bystanderKilledBy: null }),
    );
  }, 120_000);
});
