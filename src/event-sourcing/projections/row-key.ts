import type { Row } from './row-sql.js';

/** What a read model's key check names: the read model and its key columns. */
interface KeyedTable {
  readonly name: string;
  readonly keyColumns: readonly string[];
}

// As text, the form in which PostgreSQL compares a parameter with a column: a bigint key given
// as a number comes back from pg as a string, a timestamp given as a Date as ISO text.
const valueText = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));

/** A key as one string, for maps of rows by key: keys PostgreSQL finds as equal are equal. */
export const keyText = (key: readonly unknown[]): string => JSON.stringify(key.map(valueText));

/** A row's own key: its key columns' values, as `keyText`. */
export const rowKeyText = (keyColumns: readonly string[], row: Row): string => keyText(keyColumns.map((column) => row[column]));

/**
 * Refuses a key that `keyOf` gave with a value too few or too many: a missing one is compared
 * as NULL in PostgreSQL, matches no row, and every change to the row would be lost.
 */
export const checkKeyLength = (table: KeyedTable, key: readonly unknown[]): void => {
  if (key.length === table.keyColumns.length) return;
  throw new Error(
    `Read model ${table.name}: keyOf gave ${key.length} value(s) (${keyText(key)}) for its ${table.keyColumns.length} key columns ` +
      `(${table.keyColumns.join(', ')}); it must give one per key column, in their order`,
  );
};

/**
 * Refuses a row whose key columns disagree with the key `keyOf` gave for it, compared as text:
 * PostgreSQL writes a row where its own key columns say and finds it later by `keyOf`, so a
 * `keyOf` listing the values in another order than `keyColumns` would lose every later change,
 * while an in-memory read model (keyed by `keyOf` alone) kept them. A `set` (`some`) is checked
 * on the key columns it names.
 */
export const checkRowKey = (table: KeyedTable, key: readonly unknown[], row: Row, columns: 'all' | 'some' = 'all'): void => {
  checkKeyLength(table, key);
  const agrees = table.keyColumns.every(
    (column, index) => (columns === 'some' && !Object.hasOwn(row, column)) || valueText(row[column]) === valueText(key[index]),
  );
  if (agrees) return;
  throw new Error(
    `Read model ${table.name}: a row's key columns (${table.keyColumns.join(', ')}) are ${rowKeyText(table.keyColumns, row)} ` +
      `but keyOf gave ${keyText(key)}; keyOf must give the values of the key columns, in their order`,
  );
};
