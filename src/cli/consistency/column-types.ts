import type { Pool } from 'pg';
import type { ColumnTypes } from './normalised.js';

/**
 * The table's columns and their types (a domain's base type), from the catalog: the check
 * compares values by what their column is, never by what a value looks like.
 */
export const columnTypesOf = async (pool: Pool, table: string): Promise<ColumnTypes> => {
  const { rows } = await pool.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, coalesce(base.typname, t.typname) AS type
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type base ON base.oid = t.typbasetype
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  );
  return new Map(rows.map((row) => [row.name, row.type]));
};
