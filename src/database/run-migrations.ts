import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options.js';
import { withMigrationLock } from './migration-lock.js';

/** Applies pending migrations on the database at `url`, one process at a time; returns the names applied. */
export const runMigrations = async (url: string, log: (message: string) => void = () => undefined): Promise<string[]> =>
  withMigrationLock(url, log, async () => {
    const dataSource = new DataSource(dataSourceOptions(url, 1));
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  });
