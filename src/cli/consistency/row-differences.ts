import type { Row } from '../../event-sourcing/index.js';
import { type ColumnTypes, comparable, keyText } from './normalised.js';

/** One way a read-model row differs from what its events fold to. */
export type RowDifference =
  | { readonly kind: 'missing'; readonly key: readonly unknown[] }
  | { readonly kind: 'extra'; readonly key: readonly unknown[] }
  | {
      readonly kind: 'column';
      readonly key: readonly unknown[];
      readonly column: string;
      readonly expected: unknown;
      readonly found: unknown;
    };

/**
 * Compares the rows the events fold to with the table's, each value as its column's type holds
 * it (`expected` is keyed by `keyText`). Only the columns the fold writes are compared: others
 * (defaults, columns another writer owns) are no business of the events.
 */
export const rowDifferences = (
  keyColumns: readonly string[],
  types: ColumnTypes,
  expected: ReadonlyMap<string, { readonly key: readonly unknown[]; readonly row: Row }>,
  found: readonly Row[],
): RowDifference[] => {
  const differences: RowDifference[] = [];
  const foundByKey = new Map(found.map((row) => [keyText(keyColumns.map((c) => row[c]), keyColumns, types), row]));
  for (const [keyText, { key, row }] of expected) {
    const actual = foundByKey.get(keyText);
    if (!actual) {
      differences.push({ kind: 'missing', key });
      continue;
    }
    for (const [column, value] of Object.entries(row)) {
      if (comparable(value, types.get(column)) !== comparable(actual[column], types.get(column))) {
        differences.push({ kind: 'column', key, column, expected: value, found: actual[column] });
      }
    }
  }
  for (const [keyText, row] of foundByKey) {
    if (!expected.has(keyText)) differences.push({ kind: 'extra', key: keyColumns.map((c) => row[c]) });
  }
  return differences;
};
