import type { PoolClient } from 'pg';

/** A read-model row: column name → value (JSON-compatible, dates as strings). */
export type Row = Record<string, unknown>;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Table and column names are interpolated into SQL, so only plain identifiers pass. */
export const checkIdentifiers = (owner: string, names: readonly string[]): void => {
  const invalid = names.find((name) => !IDENTIFIER.test(name));
  if (invalid !== undefined) throw new Error(`${owner}: "${invalid}" is not a plain SQL identifier`);
};

const placeholders = (rowCount: number, width: number): string =>
  Array.from({ length: rowCount }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');

/** The rows whose keys are among `keys`, in one statement. */
export const selectByKeys = async <R extends Row>(
  client: PoolClient,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
): Promise<R[]> => {
  if (keys.length === 0) return [];
  const { rows } = await client.query<R>(
    `SELECT * FROM ${table} WHERE (${keyColumns.join(', ')}) IN (${placeholders(keys.length, keyColumns.length)})`,
    keys.flat(),
  );
  return rows;
};

/**
 * The rows as a set of `table`'s records, from one JSON parameter: a few thousand bound
 * parameters (a VALUES list) cost more to build, send and bind than the JSON, and PostgreSQL
 * casts each field to its column's type. Columns the rows leave out get their defaults.
 */
const rowsAsRecords = (table: string, columns: readonly string[]): string =>
  `SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${table}, $1)`;

/** Inserts or replaces rows, in one statement; every row has the same columns. */
export const upsertRows = async (client: PoolClient, table: string, keyColumns: readonly string[], rows: readonly Row[]) => {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  checkIdentifiers(table, columns);
  const updates = columns.filter((c) => !keyColumns.includes(c)).map((c) => `${c} = excluded.${c}`);
  const onConflict = updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
  await client.query(
    `INSERT INTO ${table} (${columns.join(', ')}) ${rowsAsRecords(table, columns)}
     ON CONFLICT (${keyColumns.join(', ')}) ${onConflict}`,
    [JSON.stringify(rows)],
  );
};

/** Inserts rows that are not there yet (by the conflict columns); existing ones are left alone. */
export const insertNewRows = async (client: PoolClient, table: string, conflictColumns: readonly string[], rows: readonly Row[]) => {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  checkIdentifiers(table, columns);
  await client.query(
    `INSERT INTO ${table} (${columns.join(', ')}) ${rowsAsRecords(table, columns)}
     ON CONFLICT (${conflictColumns.join(', ')}) DO NOTHING`,
    [JSON.stringify(rows)],
  );
};

export const deleteByKeys = async (client: PoolClient, table: string, keyColumns: readonly string[], keys: readonly (readonly unknown[])[]) => {
  if (keys.length === 0) return;
  await client.query(
    `DELETE FROM ${table} WHERE (${keyColumns.join(', ')}) IN (${placeholders(keys.length, keyColumns.length)})`,
    keys.flat(),
  );
};
