import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { NewEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import type { BenchTarget, LogReader } from './target.js';

const COLUMNS = `position, event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
  data, metadata, occurred_at, recorded_at, transaction_id::text AS transaction_id`;
const PER_ROW = 7;
const UNIQUE_VIOLATION = '23505';

const SQL = {
  version: `SELECT coalesce(max(version), 0)::integer AS version FROM raw_events
    WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3`,
  stream: `SELECT ${COLUMNS} FROM raw_events
    WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 ORDER BY version`,
  page: `SELECT ${COLUMNS} FROM raw_events WHERE position > $1 ORDER BY position LIMIT $2`,
} as const;

/** `INSERT … VALUES (…), (…) RETURNING position` for `rows` events of one stream ($1–$3). */
const insertSql = (rows: number): string => {
  const tuples = Array.from({ length: rows }, (_, row) => {
    const p = (column: number): string => `$${4 + row * PER_ROW + column}`;
    return `(${p(0)}, $1, $2, $3, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`;
  });
  return `INSERT INTO raw_events (event_id, tenant_id, aggregate_type, aggregate_id, version, type,
    schema_version, data, metadata, occurred_at) VALUES ${tuples.join(', ')} RETURNING position`;
};

/** The baseline: prepared statements straight on `pg`, one round trip per append or read. */
export class RawTarget implements BenchTarget {
  readonly name = 'raw';
  readonly table = 'raw_events';
  private readonly inserts = new Map<number, string>();

  constructor(private readonly pool: Pool) {}

  async appendExact(stream: StreamId, events: readonly NewEvent[], expectedVersion: number): Promise<boolean> {
    const values: unknown[] = [stream.tenantId, stream.aggregateType, stream.aggregateId];
    const now = new Date();
    events.forEach((event, index) => {
      values.push(
        randomUUID(),
        expectedVersion + index + 1,
        event.type,
        1,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        event.occurredAt ?? now,
      );
    });
    // Like the store: a checked-out client survives the unique violation.
    const client = await this.pool.connect();
    try {
      await client.query({ name: `raw_append_${events.length}`, text: this.insertFor(events.length), values });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
      throw error;
    } finally {
      client.release();
    }
  }

  async streamVersion(stream: StreamId): Promise<number> {
    const values = [stream.tenantId, stream.aggregateType, stream.aggregateId];
    const result = await this.pool.query<{ version: number }>({ name: 'raw_version', text: SQL.version, values });
    return result.rows[0].version;
  }

  async loadStream(stream: StreamId): Promise<number> {
    const values = [stream.tenantId, stream.aggregateType, stream.aggregateId];
    return (await this.pool.query({ name: 'raw_stream', text: SQL.stream, values })).rows.length;
  }

  logReader(pageSize: number): LogReader {
    let position = '0';
    return {
      nextPage: async () => {
        const { rows } = await this.pool.query<{ position: string }>({
          name: 'raw_page',
          text: SQL.page,
          values: [position, pageSize],
        });
        if (rows.length > 0) position = rows[rows.length - 1].position;
        return rows.length;
      },
    };
  }

  private insertFor(rows: number): string {
    let sql = this.inserts.get(rows);
    if (sql === undefined) {
      sql = insertSql(rows);
      this.inserts.set(rows, sql);
    }
    return sql;
  }
}
