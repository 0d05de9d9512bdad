import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from '../../src/database/database-url.js';
import { migrations } from '../../migrations/index.js';
import { launchApp as launch, type Started } from '../support/app-process.js';
import { freePort } from '../support/processes.js';

/**
 * A deployment's processes start together (a web, a worker and an all, `docker compose up
 * --scale`, a Deployment's replicas) on a database the new version's migrations have not
 * reached: each applies pending migrations at start. Every one must come up, and each
 * migration be applied once.
 */

/** 'listening', or how it ended. */
const outcome = async (started: Started, timeoutMs = 60_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.output().includes('Chronicle is listening')) return 'listening';
    if (started.child.exitCode !== null) {
      const failure = started.output().split('\n').find((line) => line.includes('failed to start')) ?? started.output().slice(-400);
      return `exited ${started.child.exitCode}: ${failure.slice(0, 300)}`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'timed out';
};

const stop = async (started: Started): Promise<void> => {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  const done = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await done;
};

describe('processes of every role starting at once on a database not yet migrated', () => {
  const admin = () => process.env.CHRONICLE_TEST_ADMIN_URL!;
  const name = `chronicle_concurrent_${randomBytes(5).toString('hex')}`;
  const started: Started[] = [];

  beforeAll(async () => {
    const client = new pg.Client({ connectionString: admin() });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
  });
  afterAll(async () => {
    await Promise.all(started.map(stop));
    const client = new pg.Client({ connectionString: admin() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  }, 60_000);

  it('all come up, and each migration is recorded once', async () => {
    const url = withDatabase(admin(), name);
    for (const role of ['web', 'worker', 'all']) {
      started.push(launch({ DATABASE_URL: url, ROLE: role, PORT: String(await freePort()), LOG_LEVEL: 'log' }));
    }
    const outcomes = await Promise.all(started.map((s) => outcome(s)));
    expect(outcomes).toEqual(['listening', 'listening', 'listening']);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: number }>(`SELECT name, count(*)::int AS n FROM migrations GROUP BY name`);
      expect(rows.filter((row) => row.n !== 1)).toEqual([]);
      expect(rows).toHaveLength(migrations.length);
    } finally {
      await client.end();
    }
  }, 120_000);
});
