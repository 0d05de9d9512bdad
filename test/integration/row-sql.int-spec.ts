import { inTransaction } from '../../src/event-sourcing/store/in-transaction.js';
import {
  deleteByKeys,
  insertNewRows,
  selectByKeys,
  upsertRows,
  type Row,
} from '../../src/event-sourcing/projections/row-sql.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Read-model rows go to PostgreSQL as one array literal per column, built by row-sql itself:
 * every value must come back as it went in, whatever characters it holds, and JSON values
 * (arrays too) must stay one value each. Tables with array columns take the JSON path.
 */
describe('row-sql writes', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(2);
    await db.pool.query(`
      CREATE TABLE row_sql_values (
        id       uuid PRIMARY KEY,
        label    text,
        amount   bigint,
        ratio    double precision,
        flag     boolean,
        day      date,
        at       timestamptz,
        doc      jsonb,
        note     varchar(20) DEFAULT 'none'
      );
      CREATE TABLE row_sql_tags (id int PRIMARY KEY, tags text[] NOT NULL);
      CREATE TABLE row_sql_days (practice text, day date, reserved int NOT NULL, PRIMARY KEY (practice, day))`);
  });

  afterAll(async () => {
    await db.drop();
  });

  const write = (rows: readonly Row[], table = 'row_sql_values', key = ['id']) =>
    inTransaction(db.pool, (client) => upsertRows(client, table, key, rows));

  it('keeps quotes, backslashes, commas, braces, NULL-like text, JSON arrays and timestamps intact', async () => {
    const at = new Date('2026-03-04T05:06:07.891Z');
    const rows = [
      {
        id: '00000000-0000-4000-8000-000000000001',
        label: 'a "quoted", {braced} \\ back\\\\slashed',
        amount: 9007199254740991,
        ratio: 0.25,
        flag: true,
        day: '2026-03-04',
        at,
        doc: ['x', { y: 'he said "hi"' }],
      },
      { id: '00000000-0000-4000-8000-000000000002', label: 'NULL', amount: null, ratio: null, flag: false, day: null, at: null, doc: 'text' },
      { id: '00000000-0000-4000-8000-000000000003', label: '', amount: -1, ratio: -1.5, flag: null, day: null, at: null, doc: null },
    ];
    await write(rows);
    const { rows: stored } = await db.pool.query(
      `SELECT id, label, amount::text, ratio, flag, day::text, at, doc, note FROM row_sql_values ORDER BY id`,
    );
    expect(stored).toEqual([
      { ...rows[0], amount: '9007199254740991', note: 'none' },
      { ...rows[1], note: 'none' },
      { ...rows[2], amount: '-1', note: 'none' },
    ]);
  });

  it('replaces on conflict, and insertNewRows leaves existing rows alone', async () => {
    const id = '00000000-0000-4000-8000-000000000009';
    await write([{ id, label: 'first' }]);
    await write([{ id, label: 'second' }]);
    await inTransaction(db.pool, (client) => insertNewRows(client, 'row_sql_values', ['id'], [{ id, label: 'third' }]));
    const { rows } = await db.pool.query(`SELECT label FROM row_sql_values WHERE id = $1`, [id]);
    expect(rows).toEqual([{ label: 'second' }]);
  });

  it('insertNewRows with stored and new keys in one batch: adds the new ones, keeps the transaction\'s earlier writes', async () => {
    const [earlier, stored, fresh] = ['0a', '0b', '0c'].map((n) => `00000000-0000-4000-8000-0000000000${n}`);
    await write([{ id: stored, label: 'stored' }]);
    await inTransaction(db.pool, async (client) => {
      await upsertRows(client, 'row_sql_values', ['id'], [{ id: earlier, label: 'earlier in the transaction' }]);
      await insertNewRows(client, 'row_sql_values', ['id'], [
        { id: stored, label: 'replayed' },
        { id: fresh, label: 'fresh' },
      ]);
    });
    const { rows } = await db.pool.query(`SELECT id, label FROM row_sql_values WHERE id = ANY($1) ORDER BY id`, [[earlier, stored, fresh]]);
    expect(rows).toEqual([
      { id: earlier, label: 'earlier in the transaction' },
      { id: stored, label: 'stored' },
      { id: fresh, label: 'fresh' },
    ]);
  });

  it('insertNewRows still fails on errors other than a stored key', async () => {
    const attempt = inTransaction(db.pool, (client) =>
      insertNewRows(client, 'row_sql_values', ['id'], [{ id: '00000000-0000-4000-8000-00000000000d', amount: 'not a number' }]),
    );
    await expect(attempt).rejects.toMatchObject({ code: '22P02' });
  });

  it('writes tables with array columns (unnest would flatten them) through JSON', async () => {
    await write(
      [
        { id: 1, tags: ['a', 'b,c'] },
        { id: 2, tags: [] },
      ],
      'row_sql_tags',
    );
    const { rows } = await db.pool.query(`SELECT id, tags FROM row_sql_tags ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, tags: ['a', 'b,c'] },
      { id: 2, tags: [] },
    ]);
  });

  it('selects and deletes rows by composite keys, whatever characters they hold; others match nothing', async () => {
    const practices = ['p "1", {a}', 'p \\ 2', 'NULL'];
    await write(
      practices.flatMap((practice, n) => [
        { practice, day: '2027-03-01', reserved: n },
        { practice, day: '2027-03-02', reserved: 10 + n },
      ]),
      'row_sql_days',
      ['practice', 'day'],
    );
    const key = ['practice', 'day'];
    const missing = [[practices[0], '2027-03-09'], ['nobody', '2027-03-01']];
    const keys = [...practices.map((practice) => [practice, '2027-03-02']), ...missing];

    const selected = await inTransaction(db.pool, (client) => selectByKeys(client, 'row_sql_days', key, keys));
    expect(selected.map((row) => row.reserved).sort()).toEqual([10, 11, 12]);

    const twice = await inTransaction(db.pool, (client) => selectByKeys(client, 'row_sql_days', key, [...keys, ...keys]));
    expect(twice.map((row) => row.reserved).sort()).toEqual([10, 11, 12]);

    await inTransaction(db.pool, (client) => deleteByKeys(client, 'row_sql_days', key, keys));
    const { rows: left } = await db.pool.query(`SELECT practice, reserved FROM row_sql_days ORDER BY reserved`);
    expect(left).toEqual(practices.map((practice, n) => ({ practice, reserved: n })));
  });

  it('selectByKeys looks keys up in the key index, not by scanning the table, even where the planner would hash them against a scan', async () => {
    await db.pool.query(`CREATE TABLE row_sql_stays (practice text, stay text, nights int NOT NULL, PRIMARY KEY (practice, stay))`);
    await db.pool.query(`INSERT INTO row_sql_stays SELECT 'p' || (n % 5), 's' || n, n % 7 FROM generate_series(1, 20000) AS n`);
    await db.pool.query(`ANALYZE row_sql_stays`);
    // 300 keys against 20,000 rows: a semi-join planned a hash join over a scan of all of them.
    const keys = Array.from({ length: 300 }, (_, i) => [`p${(i * 61) % 5}`, `s${i * 61}`]);
    const { found, scanned } = await inTransaction(db.pool, async (client) => {
      // This backend's counts not yet reported (earlier statements' too): the difference is the select's.
      const rowsScanned = async () =>
        Number(
          (await client.query<{ n: string }>(`SELECT seq_tup_read AS n FROM pg_stat_xact_user_tables WHERE relname = 'row_sql_stays'`))
            .rows[0].n,
        );
      const before = await rowsScanned();
      const rows = await selectByKeys<{ nights: number }>(client, 'row_sql_stays', ['practice', 'stay'], keys);
      return { found: rows, scanned: (await rowsScanned()) - before };
    });
    expect(found).toHaveLength(299); // s0 does not exist
    expect(scanned).toBe(0);
  });
});
