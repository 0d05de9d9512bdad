import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import type { Environment } from '../config/environment.js';

/** LOG_LEVEL speaks Nest's names; nestjs-pino's Logger sends `log` to pino's info and `verbose` to trace. */
const PINO_LEVELS: Record<Environment['LOG_LEVEL'], pino.Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Credentials never reach a log line, whoever logs a request or its headers (the request line
 * itself logs none): the bearer token, gateway cookies, and cookies the app would set.
 */
const REDACTED_PATHS = ['authorization', 'cookie', 'headers.authorization', 'headers.cookie', 'headers["set-cookie"]']
  .flatMap((path) => [path, `*.${path}`]);

export interface LogOptions {
  /** Where the JSON lines go (stdout by default): tests read them from here. */
  readonly destination?: pino.DestinationStream;
}

/**
 * The app's one pino logger: JSON lines with an ISO time and the level's name (a request's own
 * line and its error's carry its request id, correlation id, tenant and actor). On a
 * terminal in development the lines are pretty-printed instead; pino-pretty is a devDependency,
 * so it is imported only then and never in production.
 */
export const createRootLogger = async (env: Environment, options: LogOptions = {}): Promise<pino.Logger> => {
  const settings: pino.LoggerOptions = {
    level: PINO_LEVELS[env.LOG_LEVEL],
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const pretty = !options.destination && env.NODE_ENV !== 'production' && process.stdout.isTTY === true;
  if (!pretty) return pino(settings, options.destination ?? pino.destination({ dest: 1, sync: true }));
  const { default: prettyStream } = await import('pino-pretty');
  return pino(settings, prettyStream({ sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
};

/**
 * nestjs-pino's PinoLogger writes to one root per process, built from the first app's settings
 * (and, within a request, to a per-request logger of its middleware, which Chronicle does not
 * mount). Pinned to this app's root, an app started after
 * another in the same process (a test file's) logs where, and at the level, it was told.
 */
class AppPinoLogger extends PinoLogger {
  constructor(private readonly root: pino.Logger) {
    super({ pinoHttp: { logger: root } });
  }

  override get logger(): pino.Logger {
    return this.root;
  }
}

/** The Nest app logger: every `new Logger(context)` in the app and Nest's own lines go through `root`. */
export const nestLoggerFor = (root: pino.Logger): LoggerService => new NestPinoLogger(new AppPinoLogger(root), {});
