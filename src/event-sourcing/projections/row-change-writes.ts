import type { AppendSideWrite, PendingEvent, StatementParameters } from '../store/append-side-write.js';
import { checkChangeKey, combineChanges, type AnyRowChangeProjection, type RowChange } from './row-change.js';
import { checkIdentifiers, replaceOnConflict, type Row } from './row-sql.js';

/**
 * One row's value goes as one JSON parameter, and `json_populate_record` turns it into a
 * record of the table's own type: PostgreSQL casts each column, so no column types are
 * looked up or named here.
 */
const asRecord = (table: string, parameter: string): string => `json_populate_record(NULL::${table}, ${parameter}::json)`;

/**
 * The row's key compared with parameters rather than joined to the record: the row is found
 * by equality on the whole primary key, which that key's index always fits, with no join
 * for the planner to weigh.
 */
const keyMatch = (table: string, keyColumns: readonly string[], key: readonly unknown[], parameters: StatementParameters): string =>
  keyColumns.map((column, index) => `${table}.${column} = ${parameters.add(key[index])}`).join(' AND ');

/** Each shared row as a record of the table's type, beside the event that guards it. */
const sharedRows = (table: string, rows: string): string =>
  `json_array_elements(${rows}::json) AS shared, json_populate_record(NULL::${table}, shared->'row') AS r`;
const sharedGuard = (appended: string): string => `(shared->>'event')::uuid IN (SELECT event_id FROM ${appended})`;
const sharedKeyMatch = (table: string, keyColumns: readonly string[]): string =>
  keyColumns.map((column) => `${table}.${column} = r.${column}`).join(' AND ');

const writeOf = <R extends Row>(
  definition: AnyRowChangeProjection<R>,
  key: readonly unknown[],
  change: RowChange<R>,
): AppendSideWrite | null => {
  const { table, keyColumns } = definition;
  const target = JSON.stringify([table, ...key]);
  const keyRow = Object.fromEntries(keyColumns.map((column, index) => [column, key[index]]));
  if ('put' in change) {
    const columns = Object.keys(change.put);
    checkIdentifiers(table, columns);
    const list = columns.join(', ');
    return {
      sql: (parameters, ifAppended) =>
        `INSERT INTO ${table} (${list})
         SELECT ${list} FROM ${asRecord(table, parameters.add(JSON.stringify(change.put)))}
         WHERE ${ifAppended} ${replaceOnConflict(columns, keyColumns)}`,
      shared: {
        shape: `put ${table} (${list})`,
        target,
        row: change.put,
        part: (rows, appended) =>
          `INSERT INTO ${table} (${list})
           SELECT ${columns.map((column) => `r.${column}`).join(', ')} FROM ${sharedRows(table, rows)}
           WHERE ${sharedGuard(appended)} ${replaceOnConflict(columns, keyColumns)}`,
      },
    };
  }
  if ('set' in change) {
    const columns = Object.keys(change.set).filter((column) => !keyColumns.includes(column));
    if (columns.length === 0) return null;
    checkIdentifiers(table, columns);
    const assignments = columns.map((column) => `${column} = r.${column}`).join(', ');
    return {
      sql: (parameters, ifAppended) =>
        `UPDATE ${table} SET ${assignments}
         FROM ${asRecord(table, parameters.add(JSON.stringify(change.set)))} AS r
         WHERE ${keyMatch(table, keyColumns, key, parameters)} AND ${ifAppended}`,
      shared: {
        shape: `set ${table} (${columns.join(', ')})`,
        target,
        row: { ...change.set, ...keyRow },
        part: (rows, appended) =>
          `UPDATE ${table} SET ${assignments} FROM ${sharedRows(table, rows)}
           WHERE ${sharedKeyMatch(table, keyColumns)} AND ${sharedGuard(appended)}`,
      },
    };
  }
  return {
    sql: (parameters, ifAppended) => `DELETE FROM ${table} WHERE ${keyMatch(table, keyColumns, key, parameters)} AND ${ifAppended}`,
    shared: {
      shape: `remove ${table}`,
      target,
      row: keyRow,
      part: (rows, appended) =>
        `DELETE FROM ${table} USING ${sharedRows(table, rows)} WHERE ${sharedKeyMatch(table, keyColumns)} AND ${sharedGuard(appended)}`,
    },
  };
};

/**
 * The writes that bring a row-change projection's table up to date with events about to be
 * appended: the events' changes combined per row, in order, then one write per row.
 */
export const rowChangeWrites = <R extends Row>(
  definition: AnyRowChangeProjection<R>,
  events: readonly PendingEvent[],
): AppendSideWrite[] => {
  const changes = new Map<string, { key: readonly unknown[]; change: RowChange<R> }>();
  for (const event of events) {
    const change = definition.changeOf(event);
    if (change === null) continue;
    const key = definition.keyOf(event);
    checkChangeKey(definition, key, change);
    const keyText = JSON.stringify(key);
    const before = changes.get(keyText);
    changes.set(keyText, { key, change: before ? combineChanges(before.change, change) : change });
  }
  return [...changes.values()].map(({ key, change }) => writeOf(definition, key, change)).filter((write) => write !== null);
};
