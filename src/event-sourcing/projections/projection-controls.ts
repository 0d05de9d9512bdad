import type { Pool } from 'pg';

export type ProjectionStatus = 'running' | 'stopped' | 'rebuilding';

export interface ProjectionControl {
  readonly paused: boolean;
  readonly status: ProjectionStatus;
  readonly lastError: string | null;
}

/** The kill switch and status of each projection: workers check it before every batch. */
export class ProjectionControls {
  constructor(
    private readonly pool: Pool,
    /** Paused by configuration (e.g. PROJECTIONS_PAUSED), whatever the table says. */
    private readonly pausedByConfig: ReadonlySet<string> = new Set(),
  ) {}

  async get(projection: string): Promise<ProjectionControl> {
    const { rows } = await this.pool.query<{ paused: boolean; status: ProjectionStatus; last_error: string | null }>(
      `SELECT paused, status, last_error FROM projection_controls WHERE projection = $1`,
      [projection],
    );
    const row = rows[0] ?? { paused: false, status: 'running', last_error: null };
    return { paused: row.paused || this.pausedByConfig.has(projection), status: row.status, lastError: row.last_error };
  }

  async setPaused(projection: string, paused: boolean): Promise<void> {
    await this.pool.query(
      `INSERT INTO projection_controls (projection, paused) VALUES ($1, $2)
       ON CONFLICT (projection) DO UPDATE SET paused = excluded.paused, updated_at = now()`,
      [projection, paused],
    );
  }

  async setStatus(projection: string, status: ProjectionStatus, lastError: string | null = null): Promise<void> {
    await this.pool.query(
      `INSERT INTO projection_controls (projection, status, last_error) VALUES ($1, $2, $3)
       ON CONFLICT (projection) DO UPDATE SET status = excluded.status, last_error = excluded.last_error, updated_at = now()`,
      [projection, status, lastError],
    );
  }
}
