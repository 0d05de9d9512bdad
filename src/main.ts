import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, startupMessage, startupWarnings } from './app.factory.js';
import { InvalidEnvironment, validateEnvironment } from './config/environment.js';
import { Database } from './database/database.js';
import { exitIfShutdownOutlasts } from './shutdown-deadline.js';

const bootstrap = async (): Promise<void> => {
  let env;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof InvalidEnvironment)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const app = await createApp(env);
  exitIfShutdownOutlasts(env.SHUTDOWN_TIMEOUT_MS, app.get(Database).pool);
  await app.listen(env.PORT, env.HOST);
  const logger = new Logger('Chronicle');
  for (const line of startupMessage(env, app.get(Database).description)) logger.log(line);
  for (const line of startupWarnings(env)) logger.warn(line);
};

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Chronicle failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
