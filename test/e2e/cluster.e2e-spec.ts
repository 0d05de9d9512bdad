import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwtService } from '@nestjs/jwt';
import { sendJson } from '../support/http.js';
import { childEnvironment, freePort } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The built app as it is deployed: two `web` and two `worker` processes on one database.
 * Commands go to both web processes while one worker is killed with SIGKILL; the survivor
 * takes over its partitions, and every read model ends exact.
 */
const SECRET = 'cluster-test-secret-of-at-least-32-bytes';
const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

interface Process {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

describe('two web and two worker processes on one database', () => {
  let db: TestDatabase;
  const processes: Process[] = [];
  const token = new JwtService({ secret: SECRET }).sign({ sub: 'owner', actorType: 'human' }, { expiresIn: '1h' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const launch = async (role: 'web' | 'worker'): Promise<Process> => {
    const port = await freePort();
    const env = { ...childEnvironment(), DATABASE_URL: db.url, PORT: String(port), ROLE: role, JWT_SECRET: SECRET, LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: 'pipe' });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started = { child, url: `http://127.0.0.1:${port}`, output: () => output };
    processes.push(started);
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`the ${role} process exited early:\n${output}`);
      const ready = await fetch(`${started.url}/health/live`).then((r) => r.ok, () => false);
      if (ready) return started;
      await sleep(100);
    }
    throw new Error(`the ${role} process did not start:\n${output}`);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    const running = processes.filter(({ child }) => child.exitCode === null && child.signalCode === null);
    await Promise.all(running.map(({ child }) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))));
    await db.drop();
  });

  it('serves commands on both web processes while a worker dies, and every read model ends exact', async () => {
    const [webA, webB, workerA] = await Promise.all([launch('web'), launch('web'), launch('worker'), launch('worker')]);
    const created = await sendJson(webA.url, 'POST', '/v1/practices', headers, { name: 'Cluster Dental' });
    expect(created.status).toBe(201);
    const practice = created.body.practiceId as string;
    const path = `/v1/practices/${practice}/reservations`;

    const expected = new Map<string, number>();
    let kept = 0;
    for (let i = 0; i < 40; i++) {
      if (i === 20) workerA.child.kill('SIGKILL');
      const web = i % 2 === 0 ? webA : webB;
      const stay = { guestId: `g-${i}`, guestName: 'Ada Lovelace', checkInDate: day(10 + (i % 5)), nights: 1 + (i % 3) };
      const booked = await sendJson(web.url, 'POST', path, headers, stay);
      expect(booked.status).toBe(201);
      if (i % 4 === 3) {
        const other = web === webA ? webB : webA;
        const reservationId = booked.body.reservationId as string;
        const cancelled = await sendJson(other.url, 'POST', `${path}/${reservationId}/cancel`, headers, { reason: 'test' });
        expect(cancelled.status).toBe(200);
        continue;
      }
      kept++;
      for (let night = 0; night < stay.nights; night++) {
        const date = day(10 + (i % 5) + night);
        expected.set(date, (expected.get(date) ?? 0) + 1);
      }
    }

    // The inline list is exact at once, from either web process.
    const listed = await sendJson(webB.url, 'GET', `${path}?limit=100`, headers);
    expect((listed.body.reservations as { status: string }[]).filter((r) => r.status !== 'cancelled')).toHaveLength(kept);
    // Occupancy, kept by the surviving worker (it took over the dead one's partitions), converges exactly.
    const [from, to] = [day(10), day(17)];
    const want = Array.from({ length: 8 }, (_, n) => ({ date: day(10 + n), reserved: expected.get(day(10 + n)) ?? 0 }));
    let days: unknown;
    for (let i = 0; i < 150; i++) {
      days = (await sendJson(webA.url, 'GET', `/v1/practices/${practice}/occupancy?from=${from}&to=${to}`, headers)).body.days;
      if (JSON.stringify(days) === JSON.stringify(want)) break;
      await sleep(100);
    }
    expect(days).toEqual(want);
    expect(workerA.child.signalCode).toBe('SIGKILL');
  }, 120_000);
});
