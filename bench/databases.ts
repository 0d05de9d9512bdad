import pg from 'pg';
import { progress } from './progress.js';
import type { BenchDatabase } from './server.js';

/** A database of its own for workloads that need a log holding only their events. */
export interface ExtraDatabase {
  readonly url: string;
  /** For seeding, checks and baselines; the system under test opens its own connections. */
  readonly pool: pg.Pool;
}

/**
 * Extra databases on the bench's server, one per label, created on first use and shared by
 * the workloads asking for the same label (so two catch-up workloads seed one log once).
 */
export class ExtraDatabases {
  private readonly opened = new Map<string, Promise<ExtraDatabase>>();

  constructor(
    private readonly bench: BenchDatabase,
    private readonly poolSize: number,
  ) {}

  open(label: string): Promise<ExtraDatabase> {
    let database = this.opened.get(label);
    if (database === undefined) {
      database = this.create(label);
      this.opened.set(label, database);
    }
    return database;
  }

  /**
   * Ends the pool and drops the database now: a workload that wrote a lot leaves PostgreSQL
   * vacuuming and analysing its tables, which the next workloads would otherwise pay for.
   */
  async drop(label: string): Promise<void> {
    const database = this.opened.get(label);
    if (database === undefined) return;
    this.opened.delete(label);
    await (await database).pool.end();
    await this.bench.dropDatabase(label);
  }

  /** Ends the pools; the databases themselves are dropped with the bench database. */
  async close(): Promise<void> {
    const databases = await Promise.allSettled(this.opened.values());
    this.opened.clear();
    for (const database of databases) if (database.status === 'fulfilled') await database.value.pool.end();
  }

  private async create(label: string): Promise<ExtraDatabase> {
    const url = await this.bench.createDatabase(label);
    const pool = new pg.Pool({ connectionString: url, max: this.poolSize });
    pool.on('error', (error) => progress(`idle connection (${label}) failed: ${error.message}`));
    return { url, pool };
  }
}
