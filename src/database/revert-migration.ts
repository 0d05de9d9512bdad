import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options.js';
import { withMigrationLock } from './migration-lock.js';

/**
 * Reverts the last applied migration on the database at `url`; returns its name, or undefined
 * if none is applied. TypeORM's undo opens a transaction under the data source's mode whatever
 * the migration says, and the down of one built outside a transaction (`transaction = false`:
 * CREATE or DROP INDEX CONCURRENTLY, migrations 8, 10 and 14) fails in one: each is undone as
 * it was applied.
 */
export const revertLastMigration = async (url: string, log: (message: string) => void = () => undefined): Promise<string | undefined> =>
  withMigrationLock(url, log, async () => {
    const dataSource = new DataSource(dataSourceOptions(url, 1));
    await dataSource.initialize();
    try {
      const [last] = (await dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`)) as { name: string }[];
      if (!last) return undefined;
      const migration = dataSource.migrations.find((candidate) => candidate.name === last.name);
      await dataSource.undoLastMigration({ transaction: migration?.transaction === false ? 'none' : 'each' });
      return last.name;
    } finally {
      await dataSource.destroy();
    }
  });
