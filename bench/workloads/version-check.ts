import type { Pool } from 'pg';
import type { BenchTarget } from '../targets/target.js';

/** How each table names the streams of one tenant and aggregate type ($1, $2) and their aggregate ids. */
const STREAMS_OF: Readonly<Record<BenchTarget['table'], { readonly id: string; readonly where: string }>> = {
  events: { id: 'aggregate_id', where: 'tenant_id = $1 AND aggregate_type = $2' },
  raw_events: { id: 'aggregate_id', where: 'tenant_id = $1 AND aggregate_type = $2' },
  minimal_events: { id: "split_part(stream, '/', 3)", where: "starts_with(stream, $1 || '/' || $2 || '/')" },
};

interface StreamShape {
  aggregate_id: string;
  events: number;
  distinct_versions: number;
  first: number;
  last: number;
}

/**
 * Checks that each stream of `aggregateType` holds versions exactly 1..n, with n the number
 * of appends the writers saw succeed: no gap, no duplicate, nothing lost. Throws otherwise.
 */
export const assertGapFreeVersions = async (
  pool: Pool,
  target: BenchTarget,
  tenantId: string,
  aggregateType: string,
  appended: ReadonlyMap<string, number>,
): Promise<void> => {
  const streams = STREAMS_OF[target.table];
  const { rows } = await pool.query<StreamShape>(
    `SELECT ${streams.id} AS aggregate_id, count(*)::integer AS events,
            count(DISTINCT version)::integer AS distinct_versions, min(version) AS first, max(version) AS last
     FROM ${target.table} WHERE ${streams.where} GROUP BY 1`,
    [tenantId, aggregateType],
  );
  const failures: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    seen.add(row.aggregate_id);
    const expected = appended.get(row.aggregate_id) ?? 0;
    if (row.first !== 1 || row.last !== row.events || row.distinct_versions !== row.events || row.events !== expected) {
      failures.push(
        `${row.aggregate_id}: ${row.events} events, ${row.distinct_versions} distinct versions ` +
          `${row.first}..${row.last}, ${expected} appends succeeded`,
      );
    }
  }
  for (const [stream, count] of appended) {
    if (!seen.has(stream) && count > 0) failures.push(`${stream}: ${count} appends succeeded, none stored`);
  }
  if (failures.length > 0) {
    throw new Error(`${target.name}: stream versions are not gap-free 1..n:\n  ${failures.join('\n  ')}`);
  }
};
