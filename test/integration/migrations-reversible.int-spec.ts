import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { withDatabase } from '../../src/database/database-url.js';
import { revertLastMigration } from '../../src/database/revert-migration.js';
import { runMigrations } from '../../src/database/run-migrations.js';

/**
 * Every migration's `down` undoes its `up` and leaves nothing behind: up to k, then down to
 * k-1, gives the schema that up to k-1 gave, and every `down` from the newest to the first
 * leaves an empty schema (TypeORM's own `migrations` table aside); up again gives the same
 * schema as the first time. The schema is read from the catalogs (tables, columns, defaults,
 * constraints, indexes, functions, triggers, sequences, types, views).
 */

const adminUrl = () => {
  const url = process.env.CHRONICLE_TEST_ADMIN_URL;
  if (!url) throw new Error('run through jest: globalSetup sets CHRONICLE_TEST_ADMIN_URL');
  return url;
};

const SCHEMA_QUERIES: Record<string, string> = {
  columns: `SELECT table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
              || ' default=' || coalesce(column_default, '-') || ' identity=' || is_identity AS d
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN ('migrations', 'typeorm_metadata')`,
  constraints: `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN ('migrations', 'typeorm_metadata')`,
  indexes: `SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'typeorm_metadata')`,
  functions: `SELECT proname || '(' || pg_get_function_identity_arguments(oid) || ') ' || md5(pg_get_functiondef(oid)) AS d
              FROM pg_proc WHERE pronamespace = 'public'::regnamespace`,
  triggers: `SELECT pg_get_triggerdef(oid) AS d FROM pg_trigger WHERE NOT tgisinternal`,
  sequences: `SELECT sequencename AS d FROM pg_sequences WHERE schemaname = 'public' AND sequencename <> 'migrations_id_seq'`,
  types: `SELECT typname AS d FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typrelid = 0 AND typname NOT LIKE '\\_%'`,
  views: `SELECT viewname || ' ' || md5(definition) AS d FROM pg_views WHERE schemaname = 'public'`,
};

type Schema = Record<string, string[]>;

const schemaOf = async (pool: pg.Pool): Promise<Schema> => {
  const schema: Schema = {};
  for (const [kind, sql] of Object.entries(SCHEMA_QUERIES)) {
    schema[kind] = (await pool.query<{ d: string }>(sql)).rows.map((row) => row.d).sort();
  }
  return schema;
};

/** What one schema has that the other lacks, per kind: empty when they are the same. */
const differences = (expected: Schema, actual: Schema): Record<string, { missing: string[]; extra: string[] }> => {
  const out: Record<string, { missing: string[]; extra: string[] }> = {};
  for (const kind of Object.keys(SCHEMA_QUERIES)) {
    const missing = expected[kind].filter((d) => !actual[kind].includes(d));
    const extra = actual[kind].filter((d) => !expected[kind].includes(d));
    if (missing.length > 0 || extra.length > 0) out[kind] = { missing, extra };
  }
  return out;
};

describe('every migration, up, down and up again', () => {
  const name = `chronicle_migrations_${randomBytes(5).toString('hex')}`;
  let url: string;
  let pool: pg.Pool;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`); // empty: template1, no migration applied
    await admin.end();
    url = withDatabase(adminUrl(), name);
    pool = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('gives, after each down, the schema the migrations before it gave, leaves nothing after the last, and the same schema up again', async () => {
    // Up one migration at a time, keeping the schema after each (after[k]: the first k applied).
    const after: Schema[] = [await schemaOf(pool)];
    for (let k = 1; k <= migrations.length; k++) {
      const dataSource = new DataSource({ ...dataSourceOptions(url, 1), migrations: migrations.slice(0, k) });
      await dataSource.initialize();
      try {
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await dataSource.destroy();
      }
      after.push(await schemaOf(pool));
    }

    // Down one at a time, newest first: each must give back the schema before its up.
    const mismatches: Record<string, unknown> = {};
    const dataSource = new DataSource(dataSourceOptions(url, 1));
    await dataSource.initialize();
    try {
      for (let k = migrations.length; k >= 1; k--) {
        // TypeORM's undo opens a transaction whatever the migration says: one built outside a
        // transaction (CREATE INDEX CONCURRENTLY) is undone with 'none', as it was applied.
        const outside = new migrations[k - 1]().transaction === false;
        await dataSource.undoLastMigration({ transaction: outside ? 'none' : 'each' });
        const diff = differences(after[k - 1], await schemaOf(pool));
        if (Object.keys(diff).length > 0) mismatches[`down of ${new migrations[k - 1]().name}`] = diff;
      }
    } finally {
      await dataSource.destroy();
    }

    await runMigrations(url);
    const again = differences(after[migrations.length], await schemaOf(pool));
    if (Object.keys(again).length > 0) mismatches['up again'] = again;

    expect(mismatches).toEqual({});
  });

  it('can each be reverted, newest first, by `npm run migration:revert`', async () => {
    // The database is at the head again (the test above ends there). Revert every migration.
    const reverted: (string | undefined)[] = [];
    const failures: string[] = [];
    for (let k = migrations.length; k >= 1; k--) {
      try {
        reverted.push(await revertLastMigration(url));
      } catch (error) {
        failures.push(`${new migrations[k - 1]().name}: ${error instanceof Error ? error.message : String(error)}`);
        break;
      }
    }
    expect(failures).toEqual([]);
    expect(reverted).toEqual(migrations.map((migration) => new migration().name).reverse());
    expect(await revertLastMigration(url)).toBeUndefined();
  });
});
