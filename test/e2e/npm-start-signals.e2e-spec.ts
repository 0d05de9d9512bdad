import { spawn } from 'node:child_process';
import { describeOnFreshMachine, isAlive } from '../support/app-process.js';
import { childEnvironment, freePort } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * `npm start` as the README runs it, stopped the way a process manager stops it: SIGTERM to
 * the process it started (npm). The app must get it and shut down (operations.md, "Stopping"),
 * not be left running on its own.
 */

describeOnFreshMachine('npm start, sent SIGTERM', () => {
  let db: TestDatabase;
  let appPid = 0;

  beforeAll(async () => {
    db = await createTestDatabase(1);
  });
  afterAll(async () => {
    if (appPid > 0 && isAlive(appPid)) process.kill(appPid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    await db.drop();
  }, 30_000);

  it('stops the app it started', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], { env: { ...childEnvironment(), DATABASE_URL: db.url, PORT: String(port) }, stdio: 'pipe' });
    let output = '';
    npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 150_000;
    while (!output.includes('Chronicle is listening')) {
      if (npm.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not listen:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const listening = output.split('\n').find((line) => line.includes('Chronicle is listening'))!;
    appPid = (JSON.parse(listening) as { pid: number }).pid;
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);

    npm.kill('SIGTERM');
    await new Promise((resolve) => (npm.exitCode !== null ? resolve(undefined) : npm.once('exit', resolve)));
    for (let waited = 0; waited < 10_000 && isAlive(appPid); waited += 100) await new Promise((r) => setTimeout(r, 100));

    const stillServing = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (answer) => answer.status,
      () => 'refused',
    );
    expect({ appRunning: isAlive(appPid), stillServing }).toEqual({ appRunning: false, stillServing: 'refused' });
  }, 200_000);
});
