import type { Pool } from 'pg';
import type { NewEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import type { PlainTable } from './plain-tables.js';
import type { BenchTarget, LogReader } from './target.js';

const UNIQUE_VIOLATION = '23505';

/** `INSERT … VALUES (…), (…)` for `rows` events of one stream (the stream's columns first). */
const insertSql = (shape: PlainTable, rows: number): string => {
  const streamParams = shape.streamColumns.map((_, index) => `$${index + 1}`);
  const perRow = shape.eventColumns.length;
  const tuples = Array.from({ length: rows }, (_, row) => {
    const eventParams = shape.eventColumns.map((_, column) => `$${streamParams.length + 1 + row * perRow + column}`);
    return `(${[...streamParams, ...eventParams].join(', ')})`;
  });
  const columns = [...shape.streamColumns, ...shape.eventColumns].join(', ');
  return `INSERT INTO ${shape.table} (${columns}) VALUES ${tuples.join(', ')} ${shape.returning}`;
};

/**
 * A raw-SQL baseline: prepared statements straight on `pg`, one round trip per append or
 * read, on the table `shape` describes (the mirror of `events`, or the minimal table).
 */
export class PlainSqlTarget implements BenchTarget {
  readonly name: PlainTable['name'];
  readonly table: PlainTable['table'];
  private readonly inserts = new Map<number, string>();
  private readonly sql: { version: string; stream: string; page: string };

  constructor(
    private readonly pool: Pool,
    private readonly shape: PlainTable,
  ) {
    this.name = shape.name;
    this.table = shape.table;
    const where = shape.streamColumns.map((column, index) => `${column} = $${index + 1}`).join(' AND ');
    this.sql = {
      version: `SELECT coalesce(max(version), 0)::integer AS version FROM ${shape.table} WHERE ${where}`,
      stream: `SELECT ${shape.readColumns} FROM ${shape.table} WHERE ${where} ORDER BY version`,
      page: `SELECT ${shape.readColumns} FROM ${shape.table} WHERE position > $1 ORDER BY position LIMIT $2`,
    };
  }

  async appendExact(stream: StreamId, events: readonly NewEvent[], expectedVersion: number): Promise<boolean> {
    const values = this.shape.streamValues(stream);
    const now = new Date();
    events.forEach((event, index) => values.push(...this.shape.eventValues(event, expectedVersion + index + 1, now)));
    // Like the store: a checked-out client survives the unique violation.
    const client = await this.pool.connect();
    try {
      await client.query({ name: `${this.name}_append_${events.length}`, text: this.insertFor(events.length), values });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
      throw error;
    } finally {
      client.release();
    }
  }

  async streamVersion(stream: StreamId): Promise<number> {
    const values = this.shape.streamValues(stream);
    const name = `${this.name}_version`;
    const result = await this.pool.query<{ version: number }>({ name, text: this.sql.version, values });
    return result.rows[0].version;
  }

  async loadStream(stream: StreamId): Promise<number> {
    const values = this.shape.streamValues(stream);
    return (await this.pool.query({ name: `${this.name}_stream`, text: this.sql.stream, values })).rows.length;
  }

  logReader(pageSize: number): LogReader {
    let position = '0';
    return {
      nextPage: async () => {
        const { rows } = await this.pool.query<{ position: string }>({
          name: `${this.name}_page`,
          text: this.sql.page,
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
      sql = insertSql(this.shape, rows);
      this.inserts.set(rows, sql);
    }
    return sql;
  }
}
