import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { createApp } from '../../src/app.factory.js';
import { validateEnvironment } from '../../src/config/environment.js';
import { PG_POOL } from '../../src/database/database.module.js';
import { jsonHeaders, ROUTES } from './routes.js';

/** The real app, listening on a free port of 127.0.0.1, with a caller and a practice to act in. */
export interface BenchApp {
  readonly app: NestFastifyApplication;
  readonly baseUrl: string;
  /** A bearer token of `bench-user`, the owner of `practiceId`. */
  readonly token: string;
  readonly practiceId: string;
  /**
   * Waits until no request is left using the database: autocannon abandons requests in flight
   * at its deadline, and the app finishes them; they must not run into the next phase, nor
   * into `close` (a closed pool fails them).
   */
  quiesce(): Promise<void>;
  close(): Promise<void>;
}

const USER = 'bench-user';
const QUIET_CHECKS = 5;
const CHECK_MS = 20;
const QUIESCE_LIMIT_MS = 10_000;

/** Connections checked out, and checkouts waiting for one. */
const busyOf = (pool: Pool): number => pool.totalCount - pool.idleCount + pool.waitingCount;

/**
 * `held`: connections the app keeps checked out while idle (the subject keys' LISTEN
 * session), which no request will give back: counted as busy, they made every wait run
 * to its limit.
 */
const quiesce = async (pool: Pool, held: number): Promise<void> => {
  const deadline = performance.now() + QUIESCE_LIMIT_MS;
  for (let quiet = 0; quiet < QUIET_CHECKS && performance.now() < deadline; ) {
    quiet = busyOf(pool) <= held ? quiet + 1 : 0;
    await sleep(CHECK_MS);
  }
};

/** Settings an operator tunes, passed through from the bench's environment when set. */
const TUNING = ['DB_POOL_SIZE', 'REMEMBERED_AGGREGATES', 'APPEND_GROUP_STATEMENTS', 'APPEND_GROUP_SIZE'] as const;
const tuning = (): Record<string, string> =>
  Object.fromEntries(TUNING.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])));

/**
 * One user drives all the clients, at thousands of requests a second: rate limits far above
 * that, so the bench measures what counting costs and never a refusal.
 */
const UNREACHED_RATE_LIMITS = { RATE_LIMIT_USER_PER_SECOND: '1000000', RATE_LIMIT_TENANT_PER_SECOND: '1000000' };

/** Starts the app as `main.ts` would (role web: no projection worker), in this process. */
export const startApp = async (databaseUrl: string): Promise<BenchApp> => {
  const env = validateEnvironment({
    ...UNREACHED_RATE_LIMITS,
    ...tuning(),
    DATABASE_URL: databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'error',
    ROLE: 'web',
  });
  const app = await createApp(env);
  try {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error(`the app listens on ${String(address)}`);
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const token = app.get(JwtService).sign({ sub: USER, actorType: 'human' });
    const response = await fetch(`${baseUrl}${ROUTES.practices}`, {
      method: 'POST',
      headers: jsonHeaders(token),
      body: JSON.stringify({ name: 'Bench Practice' }),
    });
    const body = (await response.json()) as { practiceId?: string };
    if (response.status !== 201 || !body.practiceId) {
      throw new Error(`POST ${ROUTES.practices} answered ${response.status}: ${JSON.stringify(body)}`);
    }
    const pool = app.get<Pool>(PG_POOL);
    const held = busyOf(pool);
    return {
      app,
      baseUrl,
      token,
      practiceId: body.practiceId,
      quiesce: () => quiesce(pool, held),
      close: async () => {
        await quiesce(pool, held);
        await app.close();
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
};
