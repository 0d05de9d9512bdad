import pg from 'pg';
import { resolve } from 'node:path';
import { withoutCredentials } from '../src/config/without-credentials.js';
import { withDatabase } from '../src/database/database-url.js';
import { EmbeddedPostgresServer } from '../src/database/embedded-postgres.server.js';
import { runMigrations } from '../src/database/run-migrations.js';
import type { BenchConfig } from './config.js';
import { postmasterPid } from './harness/cpu-meter.js';
import { progress } from './progress.js';

/** The PostgreSQL server a run uses, and the throw-away database it benches in. */
export interface BenchDatabase {
  readonly url: string;
  readonly name: string;
  readonly serverDescription: string;
  readonly postgresVersion: string;
  /** The embedded server's postmaster, to read its CPU time; null for a server given by URL. */
  readonly serverPid: number | null;
  /**
   * Creates and migrates another throw-away database on the same server, named after the
   * bench database (`<name>_<suffix>`); `close` drops it too. Resolves to its URL. With
   * `migrate: false` it stays empty, for a build that migrates it with migrations of its own.
   */
  createDatabase(suffix: string, options?: { readonly migrate?: boolean }): Promise<string>;
  /** Drops one database `createDatabase` made, before the bench ends. */
  dropDatabase(suffix: string): Promise<void>;
  /** Drops the bench databases and stops the embedded server, if one was started. */
  close(): Promise<void>;
}

const adminQuery = async (adminUrl: string, sql: string): Promise<pg.QueryResult> => {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
};

/** Databases left by runs that were interrupted before they could drop theirs. */
const dropLeftovers = async (adminUrl: string): Promise<void> => {
  const { rows } = await adminQuery(
    adminUrl,
    `SELECT datname FROM pg_database WHERE datname LIKE 'chronicle\\_bench\\_%'`,
  );
  for (const row of rows) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${String(row.datname)} WITH (FORCE)`);
};

interface StartedServer {
  readonly url: string;
  readonly pid: number | null;
  readonly stop?: () => Promise<void>;
}

const startServer = async (config: BenchConfig, root: string): Promise<StartedServer> => {
  if (config.serverUrl) return { url: config.serverUrl, pid: null };
  const dataDir = resolve(root, '.data/bench-postgres');
  const server = new EmbeddedPostgresServer({
    dataDir,
    port: config.embeddedPort,
    log: progress,
  });
  const url = await server.start();
  try {
    // The embedded server is the bench's own, so anything named like a bench database is stale.
    await dropLeftovers(url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url, pid: postmasterPid(dataDir), stop: () => server.stop() };
};

/** Starts (or reaches) the server, creates `chronicle_bench_<timestamp>` and migrates it. */
export const openBenchDatabase = async (config: BenchConfig, root: string): Promise<BenchDatabase> => {
  const server = await startServer(config, root);
  const serverDescription = config.serverUrl
    ? `PostgreSQL at ${withoutCredentials(server.url)}`
    : `embedded PostgreSQL on 127.0.0.1:${config.embeddedPort}`;
  const name = `chronicle_bench_${Date.now()}`;
  const created: string[] = [];
  const create = async (database: string, migrate = true): Promise<string> => {
    created.push(database);
    await adminQuery(server.url, `CREATE DATABASE ${database}`);
    const url = withDatabase(server.url, database);
    if (migrate) await runMigrations(url);
    return url;
  };
  const drop = async (database: string): Promise<void> => {
    created.splice(created.indexOf(database), 1);
    await adminQuery(server.url, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  };
  const dropAll = async (): Promise<void> => {
    for (const database of created.splice(0)) {
      await adminQuery(server.url, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  };
  try {
    const version = await adminQuery(server.url, 'SHOW server_version');
    const url = await create(name);
    return {
      url,
      name,
      serverDescription,
      postgresVersion: String(version.rows[0].server_version),
      serverPid: server.pid,
      createDatabase: (suffix, options) => {
        if (!/^[a-z0-9_]+$/.test(suffix)) throw new Error(`database suffix "${suffix}" is not a plain identifier`);
        return create(`${name}_${suffix}`, options?.migrate ?? true);
      },
      dropDatabase: (suffix) => drop(`${name}_${suffix}`),
      close: async () => {
        try {
          await dropAll();
        } finally {
          await server.stop?.();
        }
      },
    };
  } catch (error) {
    await dropAll().catch(() => undefined);
    await server.stop?.();
    throw error;
  }
};
