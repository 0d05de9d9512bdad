import type { Pool } from 'pg';

/** A saga instance as operators see it: where it stands and what it waits for. */
export interface SagaInstanceView {
  readonly saga: string;
  readonly tenantId: string;
  readonly key: string;
  readonly status: 'active' | 'done';
  readonly state: unknown;
  readonly version: number;
  readonly correlationId: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly deadlines: readonly { readonly name: string; readonly dueAt: string }[];
}

export interface SagaInstanceFilter {
  readonly status?: 'active' | 'done';
  readonly saga?: string;
  readonly limit: number;
}

interface InstanceRow {
  readonly saga: string;
  readonly tenant_id: string;
  readonly instance_key: string;
  readonly state: unknown;
  readonly done: boolean;
  readonly version: number;
  readonly correlation_id: string;
  readonly started_at: Date;
  readonly updated_at: Date;
  readonly deadlines: { name: string; due_at: string }[];
}

/** Operators' list of saga instances across tenants, most recently moved first, with their pending deadlines. */
export class SagaAdmin {
  constructor(private readonly pool: Pool) {}

  async list({ status, saga, limit }: SagaInstanceFilter): Promise<SagaInstanceView[]> {
    const { rows } = await this.pool.query<InstanceRow>(
      `SELECT i.*, coalesce(
         (SELECT json_agg(json_build_object('name', d.name, 'due_at', d.due_at) ORDER BY d.due_at) FROM saga_deadlines d
          WHERE d.saga = i.saga AND d.tenant_id = i.tenant_id AND d.instance_key = i.instance_key), '[]') AS deadlines
       FROM saga_instances i
       WHERE ($1::boolean IS NULL OR i.done = $1) AND ($2::text IS NULL OR i.saga = $2)
       ORDER BY i.updated_at DESC, i.saga, i.tenant_id, i.instance_key
       LIMIT $3`,
      [status === undefined ? null : status === 'done', saga ?? null, limit],
    );
    return rows.map((row) => ({
      saga: row.saga,
      tenantId: row.tenant_id,
      key: row.instance_key,
      status: row.done ? 'done' : 'active',
      state: row.state,
      version: row.version,
      correlationId: row.correlation_id,
      startedAt: row.started_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      deadlines: row.deadlines.map((d) => ({ name: d.name, dueAt: new Date(d.due_at).toISOString() })),
    }));
  }
}
