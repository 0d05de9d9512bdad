import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options.js';

/** Applies pending migrations on the database at `url`; returns the names applied. */
export const runMigrations = async (url: string): Promise<string[]> => {
  const dataSource = new DataSource(dataSourceOptions(url, 1));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
};
