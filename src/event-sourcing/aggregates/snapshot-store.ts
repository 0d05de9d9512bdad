import type { Pool, PoolClient } from 'pg';
import type { StreamId } from '../store/event-envelope.js';

export interface Snapshot<State> {
  readonly version: number;
  readonly state: State;
}

/** Snapshots in PostgreSQL, written in the same transaction as the events they summarise. */
export class SnapshotStore {
  constructor(private readonly pool: Pool) {}

  async load<State>(stream: StreamId, schemaVersion: number): Promise<Snapshot<State> | null> {
    const { rows } = await this.pool.query<{ version: number; state: State }>(
      `SELECT version, state FROM snapshots
       WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 AND schema_version = $4`,
      [stream.tenantId, stream.aggregateType, stream.aggregateId, schemaVersion],
    );
    return rows[0] ?? null;
  }

  async save<State>(client: PoolClient, stream: StreamId, schemaVersion: number, snapshot: Snapshot<State>): Promise<void> {
    await client.query(
      `INSERT INTO snapshots (tenant_id, aggregate_type, aggregate_id, schema_version, version, state)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, aggregate_type, aggregate_id) DO UPDATE
       SET schema_version = excluded.schema_version, version = excluded.version, state = excluded.state, taken_at = now()
       WHERE snapshots.version < excluded.version OR snapshots.schema_version <> excluded.schema_version`,
      [stream.tenantId, stream.aggregateType, stream.aggregateId, schemaVersion, snapshot.version, JSON.stringify(snapshot.state)],
    );
  }
}
