import { DEVELOPMENT_KEY_ENCRYPTION_KEY, DEVELOPMENT_PAYMENT_WEBHOOK_SECRET, InvalidEnvironment, validateEnvironment } from './environment.js';

const problemsOf = (raw: Record<string, string>): string[] => {
  try {
    validateEnvironment(raw);
  } catch (error) {
    if (error instanceof InvalidEnvironment) return [...error.problems];
    throw error;
  }
  return [];
};

describe('environment', () => {
  describe('when nothing is set', () => {
    it('runs on port 3000 with an embedded PostgreSQL and every role', () => {
      const env = validateEnvironment({});
      expect(env).toMatchObject({ PORT: 3000, ROLE: 'all', EMBEDDED_PG_PORT: 54329, DATABASE_URL: undefined });
    });

    it('remembers Idempotency-Keys for 24 hours', () => {
      expect(validateEnvironment({}).IDEMPOTENCY_KEY_TTL_HOURS).toBe(24);
    });

    it('gives a shutdown 20 seconds', () => {
      expect(validateEnvironment({}).SHUTDOWN_TIMEOUT_MS).toBe(20_000);
    });
  });

  describe('when values are valid', () => {
    it('parses numbers and keeps URLs', () => {
      const env = validateEnvironment({ PORT: '8080', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app', ROLE: 'worker' });
      expect(env).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app', ROLE: 'worker' });
    });

    it.each([
      'postgres://postgres@%2Fvar%2Frun%2Fpostgresql/app',
      'postgres://postgres@localhost/app?host=/var/run/postgresql',
      'postgresql://app:secret@db.internal:65535/app?sslmode=require',
    ])('takes %s (a Unix socket, a full URL)', (url) => {
      expect(validateEnvironment({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    });

    it('bounds statements by 30 s unless told otherwise (0: no bound)', () => {
      expect(validateEnvironment({}).DB_STATEMENT_TIMEOUT_MS).toBe(30_000);
      expect(validateEnvironment({ DB_STATEMENT_TIMEOUT_MS: '0' }).DB_STATEMENT_TIMEOUT_MS).toBe(0);
    });

    it('limits unauthenticated requests to 100 a second per address, and trusts no proxy, unless told', () => {
      expect(validateEnvironment({})).toMatchObject({ RATE_LIMIT_ADDRESS_PER_SECOND: 100, TRUST_PROXY: '' });
    });

    it.each(['10.0.0.1', '10.0.0.0/8, 192.168.1.7', '::1,fd00::/8', 'loopback, uniquelocal'])('trusts the proxies %s', (proxies) => {
      expect(validateEnvironment({ TRUST_PROXY: proxies }).TRUST_PROXY).toBe(proxies);
    });

    it('treats an empty variable as unset', () => {
      expect(validateEnvironment({ DATABASE_URL: '', PORT: '' })).toMatchObject({ DATABASE_URL: undefined, PORT: 3000 });
    });
  });

  describe('when values are bad', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['DATABASE_URL', 'not a url'],
      ['DATABASE_URL', 'mysql://root@localhost/app'],
      ['DATABASE_URL', 'postgres://app@db.internal:99999/chronicle'],
      ['DATABASE_URL', 'postgres://app@db.internal:0/chronicle'],
      ['DB_STATEMENT_TIMEOUT_MS', '-1'],
      ['AMQP_URL', 'http://localhost:5672'],
      ['ROLE', 'admin'],
      ['EMBEDDED_PG_PORT', '80'],
      ['IDEMPOTENCY_KEY_TTL_HOURS', '0'],
      ['SHUTDOWN_TIMEOUT_MS', '500'],
      ['PORT', ' '],
      ['PORT', '0x50'],
      ['DB_POOL_SIZE', '1e1'],
      ['SHUTDOWN_TIMEOUT_MS', '0b11111010000'],
      ['NODE_ENV', 'Production'],
      ['RATE_LIMIT_ADDRESS_PER_SECOND', '0'],
      ['TRUST_PROXY', 'true'],
      ['TRUST_PROXY', 'proxy.internal'],
      ['TRUST_PROXY', '10.0.0.0/33'],
      ['TRUST_PROXY', '10.0.0.1,'],
      ['TRUST_PROXY', '10.0.0.0/8/8'],
      ['TRUST_PROXY', '0.0.0.0/0'],
      ['TRUST_PROXY', '::/0'],
      ['TRUST_PROXY', 'fe80::1%eth0.100'],
    ])('names %s=%s', (name, value) => {
      const problems = problemsOf({ [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name}=`));
    });

    it.each([
      ['DATABASE_URL', 'postgres://app:S3cretPass@db.internal:99999/chronicle'],
      ['DATABASE_URL', 'postgres://app:p#S3cretPass@db.internal:5432/chronicle'],
      ['DATABASE_URL', 'postgres://app:p/S3cret@Pass@db.internal:5432/chronicle'],
      ['DATABASE_URL', ' postgres://app@db.internal:5432/chronicle?password=S3cretPass'],
      ['DATABASE_URL', 'app:S3cretPass@db.internal:5432/chronicle'],
      ['AMQP_URL', 'amqp://relay:S3cret Pass@mq.internal:5672'],
      ['AMQP_URL', 'amqp://relay:p#S3cretPass@mq.internal:5672'],
    ])('names %s=%s with its password masked', (name, value) => {
      const problems = problemsOf({ [name]: value });
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name}=.*\\*\\*\\*`))]);
      expect(problems[0]).not.toContain('S3cret');
    });

    it.each([
      ['web', '1', '2'],
      ['worker', '3', '4'],
      ['all', '3', '4'],
    ])('refuses a pool that ROLE=%s would keep whole for itself (DB_POOL_SIZE=%s), not one a connection larger (%s)', (role, tooSmall, enough) => {
      expect(problemsOf({ ROLE: role, DB_POOL_SIZE: tooSmall })).toEqual([expect.stringMatching(/^DB_POOL_SIZE=.*needs at least/)]);
      expect(problemsOf({ ROLE: role, DB_POOL_SIZE: enough })).toEqual([]);
    });

    it('reports every bad variable at once', () => {
      expect(problemsOf({ PORT: 'x', ROLE: 'y' }).map((p) => p.split('=')[0])).toEqual(['PORT', 'ROLE']);
    });
  });

  describe('when NODE_ENV=production', () => {
    const STRONG = 'x'.repeat(32);
    const OWN_KEY = Buffer.alloc(32, 7).toString('base64');
    const WEBHOOK_SECRET = 'whsec_'.padEnd(40, 'w');

    it.each([
      ['missing', {}],
      ['empty', { JWT_SECRET: '' }],
      ['short', { JWT_SECRET: 'a-31-byte-secret-is-too-short!!' }],
      ['the public development default', { JWT_SECRET: 'chronicle-development-secret-do-not-deploy' }],
    ])('refuses a JWT_SECRET that is %s, in one line naming it and not echoing it', (_label, secret: Record<string, string>) => {
      const problems = problemsOf({ NODE_ENV: 'production', KEY_ENCRYPTION_KEY: OWN_KEY, PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET, ...secret });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^JWT_SECRET /);
      if (secret.JWT_SECRET) expect(problems[0]).not.toContain(secret.JWT_SECRET);
    });

    it('starts with a secret of 32 bytes or more', () => {
      expect(validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: STRONG, KEY_ENCRYPTION_KEY: OWN_KEY, PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET }).JWT_SECRET).toBe(STRONG);
    });

    it.each([
      ['missing', {}],
      ['the public development default', { KEY_ENCRYPTION_KEY: DEVELOPMENT_KEY_ENCRYPTION_KEY }],
    ])('refuses a KEY_ENCRYPTION_KEY that is %s', (_label, key: Record<string, string>) => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: STRONG, PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET, ...key })).toEqual([
        expect.stringMatching(/^KEY_ENCRYPTION_KEY must be set to a key of your own/),
      ]);
    });

    it.each([
      ['missing', {}],
      ['short', { PAYMENT_WEBHOOK_SECRET: 'a-31-byte-secret-is-too-short!!' }],
      ['the public development default', { PAYMENT_WEBHOOK_SECRET: DEVELOPMENT_PAYMENT_WEBHOOK_SECRET }],
    ])('refuses a PAYMENT_WEBHOOK_SECRET that is %s, without echoing it', (_label, secret: Record<string, string>) => {
      const problems = problemsOf({ NODE_ENV: 'production', JWT_SECRET: STRONG, KEY_ENCRYPTION_KEY: OWN_KEY, ...secret });
      expect(problems).toEqual([expect.stringMatching(/^PAYMENT_WEBHOOK_SECRET must be set to the provider's signing secret/)]);
      if (secret.PAYMENT_WEBHOOK_SECRET) expect(problems[0]).not.toContain(secret.PAYMENT_WEBHOOK_SECRET);
    });
  });

  it.each([
    ['not base64', '#'.repeat(44)],
    ['16 bytes', Buffer.alloc(16, 1).toString('base64')],
    ['64 bytes', Buffer.alloc(64, 1).toString('base64')],
  ])('refuses a KEY_ENCRYPTION_KEY of %s, without echoing it', (_label, key) => {
    expect(problemsOf({ KEY_ENCRYPTION_KEY: key })).toEqual([
      expect.stringMatching(/^KEY_ENCRYPTION_KEY=\(hidden\): KEY_ENCRYPTION_KEY must be 32 bytes in base64/),
    ]);
  });

  it('never echoes a JWT_SECRET it refuses', () => {
    expect(problemsOf({ JWT_SECRET: 'short-secret' })).toEqual([expect.stringMatching(/^JWT_SECRET=\(hidden\): /)]);
  });
});
