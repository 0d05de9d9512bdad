import type { AppendSideWrite, PendingEvent, StatementParameters } from '../store/append-side-write.js';
import { combineChanges, type RowChange, type RowChangeProjectionDefinition } from './row-change.js';
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

const writeOf = <R extends Row>(
  definition: RowChangeProjectionDefinition<R>,
  key: readonly unknown[],
  change: RowChange<R>,
): AppendSideWrite | null => {
  const { table, keyColumns } = definition;
  if ('put' in change) {
    const columns = Object.keys(change.put);
    checkIdentifiers(table, columns);
    return (parameters, ifAppended) =>
      `INSERT INTO ${table} (${columns.join(', ')})
       SELECT ${columns.join(', ')} FROM ${asRecord(table, parameters.add(JSON.stringify(change.put)))}
       WHERE ${ifAppended} ${replaceOnConflict(columns, keyColumns)}`;
  }
  if ('set' in change) {
    const columns = Object.keys(change.set).filter((column) => !keyColumns.includes(column));
    if (columns.length === 0) return null;
    checkIdentifiers(table, columns);
    return (parameters, ifAppended) =>
      `UPDATE ${table} SET ${columns.map((column) => `${column} = r.${column}`).join(', ')}
       FROM ${asRecord(table, parameters.add(JSON.stringify(change.set)))} AS r
       WHERE ${keyMatch(table, keyColumns, key, parameters)} AND ${ifAppended}`;
  }
  return (parameters, ifAppended) => `DELETE FROM ${table} WHERE ${keyMatch(table, keyColumns, key, parameters)} AND ${ifAppended}`;
};

/**
 * The writes that bring a row-change projection's table up to date with events about to be
 * appended: the events' changes combined per row, in order, then one write per row.
 */
export const rowChangeWrites = <R extends Row>(
  definition: RowChangeProjectionDefinition<R>,
  events: readonly PendingEvent[],
): AppendSideWrite[] => {
  const changes = new Map<string, { key: readonly unknown[]; change: RowChange<R> }>();
  for (const event of events) {
    const change = definition.changeOf(event);
    if (change === null) continue;
    const key = definition.keyOf(event);
    const keyText = JSON.stringify(key);
    const before = changes.get(keyText);
    changes.set(keyText, { key, change: before ? combineChanges(before.change, change) : change });
  }
  return [...changes.values()].map(({ key, change }) => writeOf(definition, key, change)).filter((write) => write !== null);
};
