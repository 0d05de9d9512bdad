import 'reflect-metadata';
import { InvalidEnvironment, validateEnvironment } from './config/environment.js';
import { exitOnSignalDuring } from './exit-on-signal.js';

const bootstrap = async (): Promise<void> => {
  let env;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof InvalidEnvironment)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  // Loaded once the environment is known good: a misconfigured start says so at once, not after
  // the ~2 s it takes to load the app.
  const [{ Logger }, { createApp, startupMessage, startupWarnings }, { Database }, { exitIfShutdownOutlasts }] = await Promise.all([
    import('@nestjs/common'),
    import('./app.factory.js'),
    import('./database/database.js'),
    import('./shutdown-deadline.js'),
  ]);
  // createApp starts the embedded server (if any) and migrates; it ends by handing the signals to Nest's shutdown hooks.
  const app = await exitOnSignalDuring(() => createApp(env));
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
