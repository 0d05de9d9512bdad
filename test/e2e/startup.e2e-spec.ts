import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { describeOnFreshMachine, exited, isAlive, launchApp as launch, waitFor, type Started } from '../support/app-process.js';
import { freePort } from '../support/processes.js';
import { createTestDatabase } from '../support/test-database.js';

/** The set-up contract, on the built app as `npm start` runs it: a real process, real ports. */

/** The app's output is JSON lines (pino): every complete line, parsed; one that is not JSON fails the test. */
const logLines = (output: string): Array<Record<string, unknown>> =>
  output.split('\n').slice(0, -1).map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON log line: ${line}`);
    }
  });

describe('npm start', () => {
  const dataDir = `.data/startup-test-${randomBytes(4).toString('hex')}`;
  let env: Record<string, string>;
  let running: Started | undefined;

  beforeAll(async () => {
    env = { PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_DIR: dataDir };
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await exited(running.child);
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  describeOnFreshMachine('on a machine with nothing but Node', () => {
    it('starts an embedded PostgreSQL, migrates it and serves /health and /docs', async () => {
      running = launch(env);
      await waitFor(running, 'Chronicle is listening');
      expect(running.output()).toContain('applied migrations: EventStore');
      await waitFor(running, 'JWT_SECRET is the public development default');
      const warning = { level: 'warn', msg: expect.stringContaining('JWT_SECRET is the public development default') };
      expect(logLines(running.output())).toContainEqual(expect.objectContaining(warning));
      expect(running.output()).toContain(`embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_PG_PORT}`);
      const health = await fetch(`http://127.0.0.1:${env.PORT}/health`);
      expect(health.status).toBe(200);
      const docs = await fetch(`http://127.0.0.1:${env.PORT}/docs`);
      expect(docs.status).toBe(200);
      const page = await docs.text();
      expect(page).toContain('swagger');
      // The UI runs under helmet's policy: its scripts are files of its own (no inline script),
      // its inline styles are allowed, and nothing is upgraded to HTTPS the server does not speak.
      const policy = docs.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self'");
      expect(policy).toMatch(/style-src [^;]*'unsafe-inline'/);
      expect(policy).not.toContain('upgrade-insecure-requests');
      const srcOf = (attributes: string) => /src=["']([^"']+)["']/.exec(attributes)?.[1];
      const scripts = [...page.matchAll(/<script([^>]*)>/g)].map(([, attributes]) => srcOf(attributes));
      expect(scripts.length).toBeGreaterThan(0);
      for (const src of scripts) {
        expect(src).toBeDefined();
        expect((await fetch(new URL(src!, docs.url))).status).toBe(200);
      }
    });

    it('starts again after a crash, stopping the orphaned server and reusing its data', async () => {
      running!.child.kill('SIGKILL');
      await exited(running!.child);
      const orphan = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
      expect(isAlive(orphan)).toBe(true);

      running = launch(env);
      await waitFor(running, 'Chronicle is listening');
      expect(running.output()).toContain('left running by an earlier run');
      expect(running.output()).not.toContain('applied migrations');
      expect(isAlive(orphan)).toBe(false);
      expect((await fetch(`http://127.0.0.1:${env.PORT}/health`)).status).toBe(200);
    });

    it('stops its PostgreSQL on SIGTERM', async () => {
      const serverPid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
      running!.child.kill('SIGTERM');
      const { code, signal } = await exited(running!.child);
      // 143: exit after SIGTERM. Anything else (1: SHUTDOWN_TIMEOUT_MS passed) shows what the app logged.
      if (!(code === 0 || code === 143 || signal === 'SIGTERM')) throw new Error(`exited with ${code} (${signal}):\n${running!.output()}`);
      expect(isAlive(serverPid)).toBe(false);
      expect(existsSync(`${dataDir}/postmaster.pid`)).toBe(false);
    });

    it('stops cleanly on Ctrl-C: the terminal signals the whole group, and the app stops its pool before PostgreSQL', async () => {
      running = launch(env, { detached: true });
      await waitFor(running, 'Chronicle is listening');
      // Connections in the pool, as after any use.
      await Promise.all(Array.from({ length: 8 }, () => fetch(`http://127.0.0.1:${env.PORT}/health`)));
      const serverPid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
      const shutdownStart = running.output().length;

      process.kill(-running.child.pid!, 'SIGINT'); // what Ctrl-C does: every process of the foreground group
      const { code, signal } = await exited(running.child);

      const shutdownLog = running.output().slice(shutdownStart);
      expect(shutdownLog).not.toMatch(/connection failed|terminat|ERROR|Error/);
      expect(code === 0 || code === 130 || signal === 'SIGINT').toBe(true);
      expect(isAlive(serverPid)).toBe(false);
      expect(existsSync(`${dataDir}/postmaster.pid`)).toBe(false);
    });
  });

  describeOnFreshMachine('stopped while it starts', () => {
    const startingDir = `${dataDir}-starting`;
    let serverPid = 0;
    afterAll(async () => {
      if (serverPid > 0 && isAlive(serverPid)) {
        process.kill(serverPid, 'SIGINT');
        for (let waited = 0; waited < 10_000 && isAlive(serverPid); waited += 100) await new Promise((r) => setTimeout(r, 100));
      }
      await rm(startingDir, { recursive: true, force: true });
    });

    it('stops the embedded PostgreSQL it started on a Ctrl-C that lands before it listens', async () => {
      const port = String(await freePort());
      const starting = launch({ PORT: port, EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_DIR: startingDir }, { detached: true });
      // The server writes its lock as it starts (initdb's standalone backend writes a negative
      // pid before it); the app then connects and migrates a new database.
      const lock = `${startingDir}/postmaster.pid`;
      const lockedBy = () => (existsSync(lock) ? Number(readFileSync(lock, 'utf8').split('\n')[0]) : 0);
      for (let waited = 0; !(lockedBy() > 0); waited += 20) {
        if (starting.child.exitCode !== null || waited > 60_000) throw new Error(`no server started:\n${starting.output()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      serverPid = lockedBy();

      process.kill(-starting.child.pid!, 'SIGINT'); // Ctrl-C: the app's group; the server has one of its own
      const { code } = await exited(starting.child);
      for (let waited = 0; waited < 10_000 && isAlive(serverPid); waited += 100) await new Promise((r) => setTimeout(r, 100));

      expect({ code, listened: starting.output().includes('Chronicle is listening'), serverRunning: isAlive(serverPid) }).toEqual({
        code: 130,
        listened: false,
        serverRunning: false,
      });
    });
  });

  describe('with DATABASE_URL set', () => {
    it('uses that server and starts no embedded one', async () => {
      const db = await createTestDatabase(1);
      const otherDir = `${dataDir}-unused`;
      const started = launch({ ...env, DATABASE_URL: db.url, EMBEDDED_PG_DIR: otherDir });
      try {
        await waitFor(started, 'Chronicle is listening');
        expect(started.output()).toContain('database: PostgreSQL at postgres://');
        expect(existsSync(otherDir)).toBe(false);
        expect((await fetch(`http://127.0.0.1:${env.PORT}/health`)).status).toBe(200);
      } finally {
        started.child.kill('SIGTERM');
        await exited(started.child);
        await db.drop();
      }
    });
  });

  describe('with NODE_ENV=production', () => {
    const OWN_KEY = Buffer.alloc(32, 7).toString('base64');
    const OWN_WEBHOOK_SECRET = 'whsec_'.padEnd(40, 'w');
    it.each([
      ['no JWT_SECRET', {}],
      ['a short JWT_SECRET', { JWT_SECRET: 'only-twenty-bytes-xx' }],
    ])('refuses to start with %s, in one line naming JWT_SECRET', async (_label, secret: Record<string, string>) => {
      const started = launch({ ...env, NODE_ENV: 'production', KEY_ENCRYPTION_KEY: OWN_KEY, PAYMENT_WEBHOOK_SECRET: OWN_WEBHOOK_SECRET, ...secret });
      const { code } = await exited(started.child);
      expect(code).toBe(1);
      expect(started.output().trim().split('\n')).toEqual([expect.stringMatching(/^JWT_SECRET .*NODE_ENV=production/)]);
    });

    it('refuses to start without a KEY_ENCRYPTION_KEY of its own, in one line naming it', async () => {
      const started = launch({ ...env, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), PAYMENT_WEBHOOK_SECRET: OWN_WEBHOOK_SECRET });
      const { code } = await exited(started.child);
      expect(code).toBe(1);
      expect(started.output().trim().split('\n')).toEqual([expect.stringMatching(/^KEY_ENCRYPTION_KEY .*NODE_ENV=production/)]);
    });
  });

  describe('with bad configuration', () => {
    it.each([
      ['PORT', 'abc'],
      ['DATABASE_URL', 'mysql://root@localhost/app'],
    ])('exits at once naming %s', async (name, value) => {
      const started = launch({ ...env, [name]: value });
      const { code } = await exited(started.child);
      expect(code).toBe(1);
      expect(started.output()).toContain(`${name}=${JSON.stringify(value)}`);
    });
  });
});

describeOnFreshMachine('npm start, when PostgreSQL stops answering while the app shuts down', () => {
  const dataDir = `.data/startup-test-${randomBytes(4).toString('hex')}`;
  let serverGroup: number | undefined;

  afterAll(async () => {
    if (serverGroup !== undefined && isAlive(serverGroup)) {
      process.kill(-serverGroup, 'SIGCONT');
      process.kill(-serverGroup, 'SIGKILL');
      for (let i = 0; i < 100 && isAlive(serverGroup); i++) await new Promise((r) => setTimeout(r, 50));
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exits with 1 after SHUTDOWN_TIMEOUT_MS, logging what it still waited for', async () => {
    const env = { PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '2000' };
    const started = launch(env);
    await waitFor(started, 'Chronicle is listening');
    serverGroup = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
    process.kill(-serverGroup, 'SIGSTOP'); // the server and every backend: statements and closes go unanswered

    started.child.kill('SIGTERM');
    const { code } = await exited(started.child);

    expect(code).toBe(1);
    const deadline = { level: 'error', context: 'Shutdown', msg: expect.stringMatching(/^shutdown after SIGTERM still running after 2000 ms; exiting\. Pool: \d+ connections/) };
    expect(logLines(started.output())).toContainEqual(expect.objectContaining(deadline));
  });
});
