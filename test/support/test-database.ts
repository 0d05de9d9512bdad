import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from '../../src/database/database-url.js';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** A pool on the test database; closed by `drop()`. */
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (globalSetup prepares the database)`);
  return value;
};

/**
 * A fresh, migrated database of its own for one test file, cloned from the template that
 * globalSetup prepared, so parallel test files never share data.
 */
export const createTestDatabase = async (poolSize = 10): Promise<TestDatabase> => {
  const adminUrl = requireEnv('CHRONICLE_TEST_ADMIN_URL');
  const template = requireEnv('CHRONICLE_TEST_TEMPLATE');
  const name = `chronicle_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  return {
    url,
    name,
    pool,
    async drop() {
      // pool.end() resolves before its sockets close, so DROP … WITH (FORCE) can still kill
      // one: that error must not reach a pool without a listener (it would fail another test).
      pool.on('error', () => undefined);
      await pool.end();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
};
