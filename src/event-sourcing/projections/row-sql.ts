import type { PoolClient } from 'pg';

/** A read-model row: column name → value (JSON-compatible, dates as strings). */
export type Row = Record<string, unknown>;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Table and column names are interpolated into SQL, so only plain identifiers pass. */
export const checkIdentifiers = (owner: string, names: readonly string[]): void => {
  const invalid = names.find((name) => !IDENTIFIER.test(name));
  if (invalid !== undefined) throw new Error(`${owner}: "${invalid}" is not a plain SQL identifier`);
};

interface ColumnType {
  /** The type as SQL names it, for the cast of its array parameter. */
  readonly sql: string;
  /** An array type: unnest would flatten its values into the rows. */
  readonly isArray: boolean;
  /** json or jsonb: its values are sent as JSON text, so a JSON array stays one value. */
  readonly isJson: boolean;
}

type TableTypes = ReadonlyMap<string, ColumnType>;

// Per connection, so two databases with a same-named table never share an entry; dropped on a
// failed write, so a table whose columns changed is read again on the retry.
const typesByConnection = new WeakMap<PoolClient, Map<string, Promise<TableTypes>>>();

const tableTypes = (client: PoolClient, table: string): Promise<TableTypes> => {
  let tables = typesByConnection.get(client);
  if (!tables) typesByConnection.set(client, (tables = new Map()));
  let types = tables.get(table);
  if (!types) {
    types = client
      .query<{ name: string; sql: string; category: string; json: boolean }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS sql, t.typcategory AS category,
                t.oid IN ('json'::regtype, 'jsonb'::regtype) AS json
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [table],
      )
      .then(({ rows }) => new Map(rows.map((r) => [r.name, { sql: r.sql, isArray: r.category === 'A', isJson: r.json }])));
    tables.set(table, types);
  }
  return types;
};

const forgetTypes = (client: PoolClient, table: string): void => {
  typesByConnection.get(client)?.delete(table);
};

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** One array element as text: quoted, so no value reads as NULL or splits at a comma. */
const element = (value: unknown, json: boolean): string => {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text =
    json || (typeof value === 'object' && !(value instanceof Date))
      ? JSON.stringify(value)
      : value instanceof Date
        ? value.toISOString()
        : String(value);
  return `"${NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, '\\$&') : text}"`;
};

/** A value as an element of a PostgreSQL array literal (`{a,b}`), for read models that build their own arrays. */
export const arrayElement = (value: unknown): string => element(value, false);

/**
 * One column of the rows as a PostgreSQL array literal, built here rather than by pg from a
 * JS array: pg escapes every element with two regex replaces, most of the Node cost of the write.
 * Dates and JSON go as json_populate_recordset took them (ISO text, JSON text).
 */
const arrayLiteral = (rows: readonly Row[], column: string, json: boolean): string => {
  let literal = '{';
  for (let r = 0; r < rows.length; r++) {
    if (r > 0) literal += ',';
    literal += element(rows[r][column], json);
  }
  return `${literal}}`;
};

/**
 * The rows as a set of `table`'s records: one array parameter per column, cast to the column's
 * type and unnested. Fewer bytes than a JSON document and no JSON parse or per-row key lookup in
 * PostgreSQL; a few thousand bound parameters (a VALUES list) cost more to build and bind.
 * Tables with array columns take the rows as one JSON parameter instead. Columns the rows leave
 * out get their defaults.
 */
const rowsAsRecords = async (
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  firstParameter = 1,
): Promise<{ select: string; values: unknown[] }> => {
  const types = await tableTypes(client, table);
  const columnTypes = columns.map((column) => types.get(column));
  if (columnTypes.some((type) => type === undefined || type.isArray)) {
    return {
      select: `SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${table}, $${firstParameter})`,
      values: [JSON.stringify(rows)],
    };
  }
  const values = columns.map((column, c) => arrayLiteral(rows, column, columnTypes[c]!.isJson));
  const unnested = columnTypes.map((type, c) => `$${firstParameter + c}::${type!.sql}[]`).join(', ');
  return { select: `SELECT * FROM unnest(${unnested})`, values };
};

/** Runs the statement `sql` makes of `rows` as a set of `table`'s records (see rowsAsRecords). */
const withRecords = async <R extends Row = Row>(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  sql: (records: string) => string,
): Promise<R[]> => {
  checkIdentifiers(table, columns);
  try {
    const { select, values } = await rowsAsRecords(client, table, columns, rows);
    return (await client.query<R>(sql(select), values)).rows;
  } catch (error) {
    forgetTypes(client, table);
    throw error;
  }
};

const writeRows = (
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  onConflict: string,
) => {
  const insert = `INSERT INTO ${table} (${columns.join(', ')})`;
  return withRecords(client, table, columns, rows, (records) => `${insert} ${records} ${onConflict}`);
};

const keyRecords = (keyColumns: readonly string[], keys: readonly (readonly unknown[])[]): Row[] =>
  keys.map((key) => Object.fromEntries(keyColumns.map((column, c) => [column, key[c]])));

/**
 * The statement `sql` makes of a condition matching the rows whose keys are among `keys`. The
 * keys go as one array per key column, a semi-join PostgreSQL plans in a fraction of a
 * millisecond; an `IN ((…), (…))` list of a few hundred keys took it tens of milliseconds to
 * plan and run, the costliest statement of a fold's batch.
 */
const byKeys = <R extends Row = Row>(
  client: PoolClient,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
  sql: (condition: string) => string,
) => {
  const condition = (records: string) => `(${keyColumns.join(', ')}) IN (${records})`;
  return withRecords<R>(client, table, keyColumns, keyRecords(keyColumns, keys), (records) => sql(condition(records)));
};

/**
 * The rows whose keys are among `keys` (each once, however often its key is given), in one
 * statement that looks each key up in the table's key index. As a semi-join (`IN`), PostgreSQL
 * costs an index probe as a random page read and hashed the keys against a scan of the whole
 * table whenever the table held less than some ten times as many rows per key as a batch asks
 * for: a projection's batch then read every row of its read model, a cost growing with the
 * table (occupancy's catch-up: 3.1 ms for 215 keys against 21k stays, 0.8 ms probed). The
 * lateral lookup (kept a subquery by `OFFSET 0`, or it is planned as a join again) is a nested
 * loop whatever the estimates; the keys are made distinct first.
 *
 * With `forUpdate`, the rows are locked until the transaction ends, one after the other in the
 * order of their keys (so two transactions locking some of the same rows never deadlock), and a
 * row another transaction changed or deleted meanwhile comes back as it committed it (or not at all).
 */
export const selectByKeys = async <R extends Row>(
  client: PoolClient,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
  { forUpdate = false }: { readonly forUpdate?: boolean } = {},
): Promise<R[]> => {
  if (keys.length === 0) return [];
  const matches = keyColumns.map((column) => `stored.${column} = wanted.${column}`).join(' AND ');
  const order = forUpdate ? ` ORDER BY ${keyColumns.map((_, c) => c + 1).join(', ')}` : '';
  const lock = forUpdate ? ' FOR UPDATE' : '';
  return withRecords<R>(
    client,
    table,
    keyColumns,
    keyRecords(keyColumns, keys),
    (records) =>
      `SELECT found.* FROM (SELECT DISTINCT * FROM (${records}) AS given${order}) AS wanted (${keyColumns.join(', ')})
       CROSS JOIN LATERAL (SELECT * FROM ${table} AS stored WHERE ${matches} OFFSET 0${lock}) AS found`,
  );
};

/** The ON CONFLICT clause that makes an INSERT of `columns` replace the row with the same key. */
export const replaceOnConflict = (columns: readonly string[], keyColumns: readonly string[]): string => {
  const updates = columns.filter((c) => !keyColumns.includes(c)).map((c) => `${c} = excluded.${c}`);
  const action = updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
  return `ON CONFLICT (${keyColumns.join(', ')}) ${action}`;
};

/** Inserts or replaces rows, in one statement; every row has the same columns. */
export const upsertRows = async (client: PoolClient, table: string, keyColumns: readonly string[], rows: readonly Row[]) => {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  await writeRows(client, table, columns, rows, replaceOnConflict(columns, keyColumns));
};

/**
 * Writes a fold's rows in one statement: `changed` over the rows with their keys (which the
 * caller has locked), `created` only where no row has their key, and answers the keys (as rows of
 * `keyColumns`) of the created rows it inserted. A created key that another transaction is
 * inserting waits for that transaction to end, and is left out if it committed.
 */
export const writeFoldRows = async (
  client: PoolClient,
  table: string,
  keyColumns: readonly string[],
  changed: readonly Row[],
  created: readonly Row[],
): Promise<Row[]> => {
  if (changed.length === 0 && created.length === 0) return [];
  const changedColumns = changed.length > 0 ? Object.keys(changed[0]) : [];
  const createdColumns = created.length > 0 ? Object.keys(created[0]) : [];
  checkIdentifiers(table, [...changedColumns, ...createdColumns]);
  const keys = keyColumns.join(', ');
  try {
    const change = changed.length > 0 ? await rowsAsRecords(client, table, changedColumns, changed) : undefined;
    const create = created.length > 0 ? await rowsAsRecords(client, table, createdColumns, created, (change?.values.length ?? 0) + 1) : undefined;
    const upsert = change && `INSERT INTO ${table} (${changedColumns.join(', ')}) ${change.select} ${replaceOnConflict(changedColumns, keyColumns)}`;
    const insert = create && `INSERT INTO ${table} (${createdColumns.join(', ')}) ${create.select} ON CONFLICT (${keys}) DO NOTHING RETURNING ${keys}`;
    // One statement, one round trip: the two parts' keys never meet, so neither needs the other's rows.
    const sql = upsert && insert ? `WITH changed AS (${upsert}) ${insert}` : (upsert ?? insert)!;
    return (await client.query<Row>(sql, [...(change?.values ?? []), ...(create?.values ?? [])])).rows;
  } catch (error) {
    forgetTypes(client, table);
    throw error;
  }
};

const UNIQUE_VIOLATION = '23505';

/**
 * Inserts rows that are not there yet (by the conflict columns); existing ones are left alone.
 * Runs inside the caller's transaction.
 *
 * Why not always ON CONFLICT DO NOTHING: its speculative insertion costs PostgreSQL about 60%
 * more per row than a plain INSERT (5.3 vs 3.2 µs into a uuid-keyed table), and a batch meets
 * stored rows only when events are applied again (a replay). So a plain INSERT goes first,
 * behind a savepoint; a batch that meets a stored row rolls back to it and goes again with
 * ON CONFLICT DO NOTHING, leaving the caller's transaction as it was.
 */
export const insertNewRows = async (client: PoolClient, table: string, conflictColumns: readonly string[], rows: readonly Row[]) => {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  await client.query('SAVEPOINT chronicle_insert_new_rows');
  try {
    await writeRows(client, table, columns, rows, '');
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT chronicle_insert_new_rows');
    await writeRows(client, table, columns, rows, `ON CONFLICT (${conflictColumns.join(', ')}) DO NOTHING`);
  }
};

export const deleteByKeys = async (client: PoolClient, table: string, keyColumns: readonly string[], keys: readonly (readonly unknown[])[]) => {
  if (keys.length === 0) return;
  await byKeys(client, table, keyColumns, keys, (condition) => `DELETE FROM ${table} WHERE ${condition}`);
};
