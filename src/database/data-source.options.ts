import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';

/** TypeORM owns the schema (migrations) and, later, read-model entities. */
export const dataSourceOptions = (url: string, poolSize = 4): DataSourceOptions => ({
  type: 'postgres',
  url,
  migrations,
  migrationsTableName: 'migrations',
  migrationsTransactionMode: 'each',
  entities: [],
  synchronize: false,
  logging: ['error'],
  extra: { max: poolSize },
});
