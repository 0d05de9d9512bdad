import { Logger } from '@nestjs/common';
import { InvalidEnvironment, validateEnvironment } from '../config/environment.js';
import { Database } from '../database/database.js';
import { revertLastMigration } from '../database/revert-migration.js';
import { exitOnSignalDuring } from '../exit-on-signal.js';

/** `npm run migration:revert`: reverts the last applied migration on DATABASE_URL, or on the embedded server. */
const logger = new Logger('migrate');
try {
  const env = validateEnvironment(process.env);
  await exitOnSignalDuring(async () => {
    const database = await Database.open(env, (message) => logger.log(message), { migrate: false });
    try {
      const reverted = await revertLastMigration(database.url, (message) => logger.log(message));
      logger.log(reverted ? `reverted ${reverted} on ${database.description}` : `no migration is applied on ${database.description}`);
    } finally {
      await database.close();
    }
  });
} catch (error) {
  process.stderr.write(`${error instanceof InvalidEnvironment ? error.message : String(error)}\n`);
  process.exit(1);
}
