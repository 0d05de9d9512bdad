import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Database } from './database.js';
import { dataSourceOptions } from './data-source.options.js';
import type { Environment } from '../config/environment.js';

export const PG_POOL = Symbol('PG_POOL');

const databaseProvider = {
  provide: Database,
  inject: [ConfigService],
  useFactory: (config: ConfigService<Environment, true>) => {
    const logger = new Logger('Database');
    return Database.open(
      {
        DATABASE_URL: config.get('DATABASE_URL', { infer: true }),
        EMBEDDED_PG_DIR: config.get('EMBEDDED_PG_DIR', { infer: true }),
        EMBEDDED_PG_PORT: config.get('EMBEDDED_PG_PORT', { infer: true }),
        DB_POOL_SIZE: config.get('DB_POOL_SIZE', { infer: true }),
        DB_STATEMENT_TIMEOUT_MS: config.get('DB_STATEMENT_TIMEOUT_MS', { infer: true }),
      },
      (message) => logger.log(message),
    );
  },
};

/** One PostgreSQL for the app: a pg pool for the event store's hot path, TypeORM for the rest. */
@Global()
@Module({
  providers: [databaseProvider, { provide: PG_POOL, inject: [Database], useFactory: (db: Database) => db.pool }],
  exports: [Database, PG_POOL],
})
class DatabaseConnectionModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

@Module({
  imports: [
    DatabaseConnectionModule,
    TypeOrmModule.forRootAsync({
      inject: [Database],
      useFactory: (db: Database) => ({ ...dataSourceOptions(db.url), migrations: [] }),
    }),
  ],
  exports: [DatabaseConnectionModule],
})
export class DatabaseModule {}
