import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, validateSync } from 'class-validator';
import proxyAddr from '@fastify/proxy-addr';
import { withoutCredentials } from './without-credentials.js';

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s/]+(:\d+)?\/[^\s?]+(\?\S*)?$/;
/** A host and a database, and a port that exists (1-65535; the URL parser refuses larger ones). */
const isPostgresUrl = (value: unknown): boolean => {
  if (typeof value !== 'string' || !POSTGRES_URL.test(value)) return false;
  try {
    return new URL(value).port !== '0';
  } catch {
    return false;
  }
};
const IsPostgresUrl = () =>
  ValidateBy({
    name: 'isPostgresUrl',
    validator: {
      validate: isPostgresUrl,
      defaultMessage: () =>
        'DATABASE_URL must look like postgres://user:password@host:5432/database: a port of 1-65535 if any; characters such as #, ? or / in the user or password percent-encoded; a Unix socket as host, percent-encoded too (postgres://user@%2Fvar%2Frun%2Fpostgresql/database)',
    },
  });
const AMQP_URL = /^amqps?:\/\/\S+$/;
/**
 * One the URL parser reads with a host: a password with an unencoded `#` or `/` would otherwise
 * pass, be read as another host (or fail the start-up message's parse) and connect nowhere.
 */
const isAmqpUrl = (value: unknown): boolean => {
  if (typeof value !== 'string' || !AMQP_URL.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
};
const IsAmqpUrl = () =>
  ValidateBy({
    name: 'isAmqpUrl',
    validator: {
      validate: isAmqpUrl,
      defaultMessage: () =>
        'AMQP_URL must look like amqp://user:password@host:5672, characters such as #, ? or / in the user or password '
        + 'percent-encoded',
    },
  });
/**
 * Parsed by the same code Fastify's `trustProxy` is (it would otherwise stop the app at start
 * with a stack trace): addresses, CIDR ranges of at least one bit, and the names `loopback`,
 * `linklocal`, `uniquelocal`.
 */
const isTrustedProxyList = (entries: string[]): boolean => {
  try {
    proxyAddr.compile(entries);
    return true;
  } catch {
    return false;
  }
};
const IsTrustedProxies = () =>
  ValidateBy({
    name: 'isTrustedProxies',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && (value.trim() === '' || isTrustedProxyList(value.split(',').map((entry) => entry.trim()))),
      defaultMessage: () =>
        'TRUST_PROXY must be empty, or addresses, CIDR ranges (/1 or more) and the names loopback, linklocal, uniquelocal, separated by commas (10.0.0.1,10.1.0.0/16)',
    },
  });
export const DEVELOPMENT_JWT_SECRET = 'chronicle-development-secret-do-not-deploy';
/** 32 bytes, base64: public (it is in this file), so only for a development machine. */
export const DEVELOPMENT_KEY_ENCRYPTION_KEY = 'Y2hyb25pY2xlLWRldmVsb3BtZW50LWtleS1kby1ub3Q=';
/** Public (it is in this file): any caller could sign a payment provider's answer with it. */
export const DEVELOPMENT_PAYMENT_WEBHOOK_SECRET = 'chronicle-development-webhook-secret-do-not-deploy';
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
const SECRETS = new Set(['JWT_SECRET', 'KEY_ENCRYPTION_KEY', 'PAYMENT_WEBHOOK_SECRET']);
/**
 * Plain decimal digits only: `Number()` also reads ' ' as 0 (a random port), and hex, binary and
 * exponent forms. Anything else stays text, which the integer check then names.
 */
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** Every environment variable Chronicle reads, validated once at start. */
export class Environment {
  @IsInt() @Min(0) @Max(65535) @Transform(toInt)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsOptional() @IsPostgresUrl()
  DATABASE_URL?: string;

  @IsOptional() @IsAmqpUrl()
  AMQP_URL?: string;

  /** The durable topic exchange the relay publishes every event to (tests use one of their own). */
  @IsString() @Matches(/^[\w.:-]{1,255}$/, { message: 'AMQP_EXCHANGE must be letters, digits, "-", "_", "." or ":"' })
  AMQP_EXCHANGE = 'chronicle.events';

  @IsIn(['all', 'web', 'worker'])
  ROLE: 'all' | 'web' | 'worker' = 'all';

  @IsInt() @Min(1024) @Max(65535) @Transform(toInt)
  EMBEDDED_PG_PORT = 54329;

  @IsString()
  EMBEDDED_PG_DIR = '.data/postgres';

  @IsInt() @Min(1) @Max(200) @Transform(toInt)
  DB_POOL_SIZE = 10;

  /**
   * PostgreSQL cancels a statement of the app's pool that runs longer (0: never), and the app
   * gives up on one whose answer has not come a little after (a server or network gone silent
   * mid-statement would otherwise hold the request and its connection until TCP gives up, about
   * 15 minutes). Migrations do not use the pool.
   */
  @IsInt() @Min(0) @Max(86_400_000) @Transform(toInt)
  DB_STATEMENT_TIMEOUT_MS = 30_000;

  /**
   * How many aggregates' states each process remembers after writing them, so the next command
   * on one skips loading its stream (0: always load). Always checked by the append's version.
   */
  @IsInt() @Min(0) @Max(10_000_000) @Transform(toInt)
  REMEMBERED_AGGREGATES = 10_000;

  /**
   * Group commit: how many statements of commands' appends each process keeps in flight;
   * commands that arrive meanwhile wait and go together in the next (at most
   * APPEND_GROUP_SIZE each; 1 sends every command's append alone).
   */
  @IsInt() @Min(1) @Max(100) @Transform(toInt)
  APPEND_GROUP_STATEMENTS = 1;

  @IsInt() @Min(1) @Max(1_000) @Transform(toInt)
  APPEND_GROUP_SIZE = 32;

  /** How long an Idempotency-Key is remembered: after that, a request with it runs anew and the key is deleted. */
  @IsInt() @Min(1) @Max(8_760) @Transform(toInt)
  IDEMPOTENCY_KEY_TTL_HOURS = 24;

  /**
   * Requests a second one user may make, and all members of one practice together, in each
   * process (operators' and health routes are exempt). Generous: a guard against floods, not a quota.
   */
  @IsInt() @Min(1) @Max(1_000_000) @Transform(toInt)
  RATE_LIMIT_USER_PER_SECOND = 300;

  @IsInt() @Min(1) @Max(1_000_000) @Transform(toInt)
  RATE_LIMIT_TENANT_PER_SECOND = 1_000;

  /**
   * Requests a second from one client address that must have a token's signature checked, or
   * bring no credentials at all, in each process: what a flood of forged or missing tokens
   * gets through before it is answered 429 without being checked. A caller whose token was
   * verified before is not counted, so a shared address (an office's NAT) only pays for new tokens.
   */
  @IsInt() @Min(1) @Max(1_000_000) @Transform(toInt)
  RATE_LIMIT_ADDRESS_PER_SECOND = 100;

  /**
   * The proxies in front of the app, as addresses, CIDR ranges or proxy-addr's names
   * (`loopback`, `linklocal`, `uniquelocal`), comma-separated, whose
   * `X-Forwarded-For` names the client's address; empty: the connection's own address is the
   * client's, and the header is ignored (anyone could write it).
   */
  @IsTrustedProxies()
  TRUST_PROXY = '';

  /** The whole request, headers and body, must arrive within this: a client that trickles it is cut off with 408. */
  @IsInt() @Min(1) @Max(3_600_000) @Transform(toInt)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** A connection silent this long while a request is read or answered is closed: above any request's own work. */
  @IsInt() @Min(1) @Max(3_600_000) @Transform(toInt)
  HTTP_CONNECTION_TIMEOUT_MS = 60_000;

  /**
   * After SIGTERM or SIGINT the shutdown (workers, relay, pool, embedded server) gets this
   * long; a step that never settles then logs what is still open and exits with 1.
   */
  @IsInt() @Min(1_000) @Max(600_000) @Transform(toInt)
  SHUTDOWN_TIMEOUT_MS = 20_000;

  @IsIn(['jwt', 'trusted-header'])
  AUTH_MODE: 'jwt' | 'trusted-header' = 'jwt';

  /** `production` makes a real JWT_SECRET mandatory (see `productionProblems`). */
  @IsOptional() @IsString()
  NODE_ENV?: string;

  /** HS256 secret for bearer tokens. The default only suits a development machine. */
  @IsString() @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET = DEVELOPMENT_JWT_SECRET;

  /** Tokens must expire; one that would live longer than this (from now, or from its `iat`) is refused. */
  @IsInt() @Min(60) @Max(30 * 86_400) @Transform(toInt)
  JWT_MAX_LIFETIME_SECONDS = 86_400;

  /**
   * The master key (32 bytes, base64) wrapping each subject's data key for personal fields:
   * `openssl rand -base64 32`. Required when NODE_ENV=production; losing it loses every
   * personal field, so keep it like a backup.
   */
  @Matches(BASE64_32_BYTES, { message: 'KEY_ENCRYPTION_KEY must be 32 bytes in base64 (openssl rand -base64 32)' })
  KEY_ENCRYPTION_KEY = DEVELOPMENT_KEY_ENCRYPTION_KEY;

  /** When set, tokens must carry this `iss` (and the development tokens are issued with it). */
  @IsOptional() @IsString()
  JWT_ISSUER?: string;

  /** When set, tokens must carry this `aud`. */
  @IsOptional() @IsString()
  JWT_AUDIENCE?: string;

  /**
   * How long the fake payment provider takes to answer a charge, in milliseconds (tests use
   * tens): it stands where a real provider plugs in.
   */
  @IsInt() @Min(0) @Max(600_000) @Transform(toInt)
  FAKE_PROVIDER_DELAY_MS = 1_000;

  /**
   * The secret the payment provider signs its answers with (HMAC-SHA256), shared with it: the
   * webhook route takes an answer only under it. One for every process of a deployment, so a
   * fixed public default rather than one made up at start (each web process would have its own).
   */
  @IsString() @MinLength(16, { message: 'PAYMENT_WEBHOOK_SECRET must be at least 16 characters' })
  PAYMENT_WEBHOOK_SECRET = DEVELOPMENT_PAYMENT_WEBHOOK_SECRET;

  /** How long a reservation made with a deposit waits for the payment before it is cancelled. */
  @IsInt() @Min(1) @Max(30 * 86_400) @Transform(toInt)
  DEPOSIT_DEADLINE_SECONDS = 900;

  /** Projections paused by configuration (comma-separated names): the kill switch without the admin API. */
  @IsString()
  PROJECTIONS_PAUSED = '';

  /** Users who may call the admin API besides system actors (comma-separated ids). */
  @IsString()
  OPERATOR_USER_IDS = '';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';
}

export class InvalidEnvironment extends Error {
  /** One line a problem, each naming its variable. */
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'InvalidEnvironment';
  }
}

/** Used by ConfigModule's `validate` and by main.ts before anything starts. */
export const validateEnvironment = (raw: Record<string, unknown>): Environment => {
  const known = new Set(Object.keys(new Environment()));
  // An empty variable counts as unset, as shells and compose files often leave them so.
  const relevant = Object.fromEntries(Object.entries(raw).filter(([key, value]) => known.has(key) && value !== ''));
  const environment = plainToInstance(Environment, relevant, { exposeDefaultValues: true });
  const errors = validateSync(environment, { skipMissingProperties: false });
  const problems = [
    ...errors.map((e) => `${e.property}=${shown(e.property, raw[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`),
    ...productionProblems(environment),
    ...poolProblems(environment),
  ];
  if (problems.length > 0) throw new InvalidEnvironment(problems);
  return environment;
};

/**
 * Secrets are never echoed back, not even a wrong one; nor is a password in a URL, of any
 * variable (a URL fails validation precisely when its password has an unencoded `#` or `/`).
 */
const shown = (name: string, value: unknown): string =>
  SECRETS.has(name) ? '(hidden)' : JSON.stringify(typeof value === 'string' ? withoutCredentials(value) : value);

const MIN_PRODUCTION_SECRET_BYTES = 32;

/**
 * The development secret is public (it is in this file), so in production anyone could mint
 * a token for anyone with it: a missing or short secret stops the app instead.
 */
const productionProblems = (environment: Environment): string[] => {
  // Libraries compare NODE_ENV with 'production' exactly: `Production` would run as development, unchecked.
  if (environment.NODE_ENV !== 'production' && environment.NODE_ENV?.trim().toLowerCase() === 'production') {
    return [`NODE_ENV=${JSON.stringify(environment.NODE_ENV)}: write it as production, in lower case`];
  }
  if (environment.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (environment.JWT_SECRET === DEVELOPMENT_JWT_SECRET || Buffer.byteLength(environment.JWT_SECRET) < MIN_PRODUCTION_SECRET_BYTES) {
    problems.push(`JWT_SECRET must be set to a secret of at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production`);
  }
  if (environment.KEY_ENCRYPTION_KEY === DEVELOPMENT_KEY_ENCRYPTION_KEY) {
    problems.push('KEY_ENCRYPTION_KEY must be set to a key of your own when NODE_ENV=production (openssl rand -base64 32)');
  }
  if (
    environment.PAYMENT_WEBHOOK_SECRET === DEVELOPMENT_PAYMENT_WEBHOOK_SECRET
    || Buffer.byteLength(environment.PAYMENT_WEBHOOK_SECRET) < MIN_PRODUCTION_SECRET_BYTES
  ) {
    problems.push(`PAYMENT_WEBHOOK_SECRET must be set to the provider's signing secret, at least ${MIN_PRODUCTION_SECRET_BYTES} bytes, when NODE_ENV=production`);
  }
  return problems;
};

/**
 * Connections a process keeps out of its pool for as long as it runs: the subject keys' LISTEN
 * (every role), and a worker's lease and its LISTEN for new events. A pool no larger than that
 * leaves nothing for requests or work: the process would start, then wait forever.
 */
export const SESSIONS_KEPT: Readonly<Record<Environment['ROLE'], number>> = { web: 1, worker: 3, all: 3 };

const poolProblems = (environment: Environment): string[] => {
  // A bad ROLE or DB_POOL_SIZE is reported as such, on its own.
  if (!Object.hasOwn(SESSIONS_KEPT, environment.ROLE) || !Number.isInteger(environment.DB_POOL_SIZE)) return [];
  const kept = SESSIONS_KEPT[environment.ROLE];
  if (environment.DB_POOL_SIZE > kept) return [];
  return [
    `DB_POOL_SIZE=${environment.DB_POOL_SIZE}: a process of ROLE=${environment.ROLE} keeps ${kept} of its pool's connections for good ` +
      `(listening and leases); it needs at least ${kept + 1} to do any work (default 10)`,
  ];
};

/** Whether the app runs on the public development secret (announced as a warning at start). */
export const usesDevelopmentSecret = (environment: Environment): boolean => environment.JWT_SECRET === DEVELOPMENT_JWT_SECRET;
