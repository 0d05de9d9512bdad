import type { INestApplicationContext } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  AggregateCatalog,
  compareLogCursors,
  EVENT_STORE,
  type EventStore,
  type FoldProjectionDefinition,
  foldOfChanges,
  type LogCursor,
  PG_POOL_TOKEN,
  type Row,
  selectByKeys,
  withClient,
} from '../../event-sourcing/index.js';
import { columnTypesOf } from './column-types.js';
import { type ColumnTypes, comparable, keyText } from './normalised.js';
import { progressOf } from './progress.js';
import { ReadFenceWait } from './read-fence-wait.js';
import { type RowDifference, rowDifferences } from './row-differences.js';
import { write } from '../output.js';

/** Events read per page of the log, and keys per SELECT of the table. */
const PAGE = 1_000;
const KEYS_PER_SELECT = 500;

interface CheckedModel {
  readonly aggregateType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any aggregate's events; it takes those it handles
  readonly fold: FoldProjectionDefinition<Row, any>;
  /** The table's column types: values are compared as their column holds them. */
  readonly types: ColumnTypes;
  /** Every key the events touched, with the row they fold to (null: none, or removed). */
  readonly rows: Map<string, { key: readonly unknown[]; row: Row | null }>;
}

/** Every row-change inline read model, folded as it is registered (`handles` defaults to the aggregate's). */
const modelsOf = (catalog: AggregateCatalog, pool: Pool): Promise<CheckedModel[]> =>
  Promise.all(
    catalog.all().flatMap((aggregate) =>
      (aggregate.inlineProjections ?? [])
        .filter((model) => 'changeOf' in model)
        .map(async (model) => ({
          aggregateType: aggregate.type,
          fold: foldOfChanges({ ...model, handles: model.handles ?? aggregate.eventTypes }),
          types: await columnTypesOf(pool, model.table),
          rows: new Map(),
        })),
    ),
  );

/** The log's last event as the check starts (null: none yet): the check folds at least up to it. */
const lastEventOf = async (pool: Pool): Promise<LogCursor | null> => {
  const { rows } = await pool.query<{ transaction_id: string; position: string }>(
    // Qualified: a bare `transaction_id` names the text column selected, and text order puts
    // transaction 999 after 1322 (CI's fresh embedded server crossed that, and the check stopped short).
    `SELECT transaction_id::text, position FROM events ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1`,
  );
  return rows[0] ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) } : null;
};

/**
 * Refolds the whole log, page by page, into each model's rows in memory; how many events it folded.
 * It reads as every log reader does, below the oldest transaction open on the server: an empty page
 * before the log's last event means one holds the readers back, and the check waits for it (a
 * check of the events before it alone would report their rows as differences).
 */
const refold = async (app: INestApplicationContext, models: readonly CheckedModel[], fence: ReadFenceWait): Promise<number> => {
  const pool = app.get<Pool>(PG_POOL_TOKEN);
  const aggregateTypes = [...new Set(models.map((m) => m.aggregateType))];
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events WHERE aggregate_type = ANY($1)`,
    [aggregateTypes],
  );
  const last = await lastEventOf(pool);
  const progress = progressOf(rows[0].n, 'events');
  const store = app.get<EventStore>(EVENT_STORE);
  let folded = 0;
  let after: LogCursor | undefined;
  const beforeLast = () => last !== null && (after === undefined || compareLogCursors(after, last) < 0);
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE });
    if (page.events.length === 0) {
      if (!beforeLast()) break;
      await fence.wait();
      continue;
    }
    fence.progressed();
    after = page.cursor;
    let ours = 0;
    for (const event of page.events) {
      if (!aggregateTypes.includes(event.aggregateType)) continue;
      ours++;
      for (const model of models) {
        if (model.aggregateType !== event.aggregateType || !model.fold.handles.includes(event.type)) continue;
        const key = model.fold.keyOf(event);
        const text = keyText(key, model.fold.keyColumns, model.types);
        model.rows.set(text, { key, row: model.fold.evolve(model.rows.get(text)?.row ?? null, event) });
      }
    }
    folded += ours;
    progress.advance(ours);
  }
  progress.done();
  return folded;
};

/** The model's differences: its expected rows read back by key, and the stored keys no event left a row at. */
const differencesOf = async (pool: Pool, model: CheckedModel): Promise<RowDifference[]> => {
  const { table, keyColumns } = model.fold;
  const expected = new Map(
    [...model.rows].flatMap(([keyText, { key, row }]) => (row === null ? [] : [[keyText, { key, row }] as const])),
  );
  return withClient(pool, async (client) => {
    const found: Row[] = [];
    const keys = [...expected.values()].map((e) => e.key);
    for (let i = 0; i < keys.length; i += KEYS_PER_SELECT) {
      found.push(...(await selectByKeys(client, table, keyColumns, keys.slice(i, i + KEYS_PER_SELECT))));
    }
    // Only the key columns of every stored row: enough to name the rows no event accounts for.
    const stored = await client.query<Row>(`SELECT ${keyColumns.join(', ')} FROM ${table}`);
    const storedKeyText = (row: Row) => keyText(keyColumns.map((c) => row[c]), keyColumns, model.types);
    const extra = stored.rows.filter((row) => !expected.has(storedKeyText(row)));
    return rowDifferences(keyColumns, model.types, expected, [...found, ...extra]);
  });
};

const describe = (model: CheckedModel, difference: RowDifference): string => {
  const key = model.fold.keyColumns.map((column, i) => `${column}=${String(difference.key[i])}`).join(', ');
  const where = `${model.fold.name} (${model.fold.table}) [${key}]`;
  switch (difference.kind) {
    case 'missing':
      return `${where}: missing row`;
    case 'extra':
      return `${where}: extra row (no event leaves one)`;
    case 'column': {
      const type = model.types.get(difference.column);
      return `${where}: ${difference.column} is ${comparable(difference.found, type)}, `
        + `the events say ${comparable(difference.expected, type)}`;
    }
  }
};

/**
 * Refolds every row-change inline read model from the log and prints each difference from its
 * table, then a verdict; the exit code (0: consistent, 1: differences). Waits up to
 * `fencePatienceMs` while a transaction open on the server holds the log's readers back.
 */
export const checkConsistencyOf = async (app: INestApplicationContext, fencePatienceMs: number): Promise<number> => {
  const pool = app.get<Pool>(PG_POOL_TOKEN);
  const models = await modelsOf(app.get(AggregateCatalog), pool);
  const events = await refold(app, models, new ReadFenceWait(pool, fencePatienceMs));
  let count = 0;
  for (const model of models) {
    for (const difference of await differencesOf(pool, model)) {
      count++;
      write(describe(model, difference));
    }
  }
  const names = models.map((m) => m.fold.name).join(', ');
  const checked = `${models.length} read models (${names}) against ${events} events`;
  write(count === 0 ? `consistent: ${checked}` : `${count} differences: ${checked}`);
  return count === 0 ? 0 : 1;
};
