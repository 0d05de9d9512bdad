import type pg from 'pg';
import { processCpuUs } from './cpu-meter.js';

const SAMPLE_EVERY_MS = 200;

/**
 * CPU of the server's processes serving one database (its backends, autovacuum workers on
 * it), between `start` and `stop`, for a server on this machine. A pool closes connections
 * that sat idle for 10 s and opens others during a phase, and an exited backend can no longer
 * be read; so `pg_stat_activity` is read every 200 ms and each process's CPU kept as last
 * seen, which an idle backend's exit does not change. A process first seen after `start`
 * counts whole; one that starts and exits between two readings (a short autovacuum run) is
 * missed. The server's shared processes (WAL writer, checkpointer) serve no one database and
 * are not counted.
 */
export class DatabaseCpuTracker {
  private readonly atStart = new Map<number, number>();
  private readonly lastSeen = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly monitor: pg.Pool,
    private readonly database: string,
  ) {}

  async start(): Promise<void> {
    await this.sample(this.atStart);
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample()).catch((error: unknown) => void (this.failure ??= error));
    }, SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  /** Stops sampling; a phase that failed reads nothing more. */
  cancel(): void {
    clearInterval(this.timer);
  }

  /** The µs of CPU the database's processes used since `start`. */
  async stop(): Promise<number> {
    this.cancel();
    await this.sampling;
    if (this.failure !== undefined) throw this.failure;
    await this.sample();
    let total = 0;
    for (const [pid, us] of this.lastSeen) total += us - (this.atStart.get(pid) ?? 0);
    return total;
  }

  private async sample(first?: Map<number, number>): Promise<void> {
    const { rows } = await this.monitor.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
      this.database,
    ]);
    for (const { pid } of rows) {
      const us = processCpuUs(pid);
      if (us === null) continue; // exited since the query: idle since it was last seen
      this.lastSeen.set(pid, us);
      first?.set(pid, us);
    }
  }
}
