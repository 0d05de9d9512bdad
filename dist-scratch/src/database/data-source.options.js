import { migrations } from '../../migrations/index.js';
/** TypeORM owns the schema (migrations) and, later, read-model entities. */
export const dataSourceOptions = (url, poolSize = 4) => ({
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
//# sourceMappingURL=data-source.options.js.map