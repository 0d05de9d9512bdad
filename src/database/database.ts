import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { withoutCredentials } from '../config/without-credentials.js';
import { EmbeddedPostgresServer } from './embedded-postgres.server.js';
import { runMigrations } from './run-migrations.js';
import type { Environment } from '../config/environment.js';

export type DatabaseSettings = Pick<Environment, 'DATABASE_URL' | 'EMBEDDED_PG_DIR' | 'EMBEDDED_PG_PORT' | 'DB_POOL_SIZE' | 'DB_STATEMENT_TIMEOUT_MS'>;

const CLOSE_WAIT_MS = 5_000;
/** How long after the server's own cancel the app stops waiting: time for the cancel's answer to arrive. */
const SILENT_SERVER_MARGIN_MS = 2_000;

/**
 * A statement runs at most `statementTimeoutMs` (PostgreSQL cancels it: SQLSTATE 57014), and the
 * app waits for its answer a margin longer: past that the server or the network is gone silent,
 * pg fails the query ("Query read timeout") and the connection is dropped, not reused. The
 * server's limit is SET on each new connection, the first thing it sends: as a startup
 * parameter, PgBouncer would refuse the connection.
 */
const poolWithStatementLimits = (config: pg.PoolConfig, statementTimeoutMs: number): pg.Pool => {
  if (statementTimeoutMs === 0) return new pg.Pool(config);
  return new pg.Pool({
    ...config,
    query_timeout: statementTimeoutMs + SILENT_SERVER_MARGIN_MS,
    // Awaited before the client is handed out: a client's queries never overlap.
    onConnect: (client) => client.query(`SET statement_timeout = ${statementTimeoutMs}`),
  });
};

/**
 * The PostgreSQL the process talks to: the one DATABASE_URL names, or an embedded server
 * started here. Migrations are applied before anything else touches it.
 */
export class Database {
  /** The pool's open connections, to wait for them to close. */
  private readonly connections = new Set<pg.PoolClient>();

  private constructor(
    readonly url: string,
    readonly pool: pg.Pool,
    readonly description: string,
    private readonly embedded?: EmbeddedPostgresServer,
  ) {}

  /** `migrate: false` for `migration:revert`, which must not apply again what it undoes. */
  static async open(env: DatabaseSettings, log: (message: string) => void, { migrate = true } = {}): Promise<Database> {
    let embedded: EmbeddedPostgresServer | undefined;
    let url = env.DATABASE_URL;
    let description = url ? `PostgreSQL at ${withoutCredentials(url)}` : '';
    if (!url) {
      embedded = new EmbeddedPostgresServer({ dataDir: env.EMBEDDED_PG_DIR, port: env.EMBEDDED_PG_PORT, log });
      url = await embedded.start();
      description = `embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_PG_PORT} (data in ${env.EMBEDDED_PG_DIR})`;
    }
    try {
      const applied = migrate ? await runMigrations(url, log) : [];
      if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
    // TCP keepalive: an idle connection whose server vanished without closing it (a failover, a
    // dropped NAT entry) is found dead by the kernel instead of being handed out for good.
    const pool = poolWithStatementLimits(
      { connectionString: url, max: env.DB_POOL_SIZE, keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
      env.DB_STATEMENT_TIMEOUT_MS,
    );
    // An idle client that loses its server must not crash the process; the next checkout reconnects.
    pool.on('error', (error) => log(`idle database connection failed: ${error.message}`));
    const database = new Database(url, pool, description, embedded);
    pool.on('connect', (client) => {
      database.connections.add(client);
      client.once('end', () => database.connections.delete(client));
    });
    return database;
  }

  /**
   * The pool first, and only once its connections are closed, the embedded server: pool.end()
   * resolves when the clients are told to end, before their sockets close, and a server
   * stopping meanwhile would fail them ("terminating connection due to administrator command").
   */
  async close(): Promise<void> {
    const closing = [...this.connections].map((client) => new Promise((closed) => client.once('end', closed)));
    await this.pool.end();
    if (this.embedded) {
      await Promise.race([Promise.all(closing), sleep(CLOSE_WAIT_MS, undefined, { ref: false })]); // a connection lost mid-close never reports
      await this.embedded.stop();
    }
  }

}
