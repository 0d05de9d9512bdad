import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, type AppOptions } from '../../src/app.factory.js';
import { validateEnvironment } from '../../src/config/environment.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly db: TestDatabase;
  /** e.g. http://127.0.0.1:43123 — tests call the app over real HTTP. */
  readonly baseUrl: string;
  /** A valid bearer token for this app (HS256 with its secret). */
  tokenFor(userId: string, actorType?: 'human' | 'ai' | 'system'): string;
  /** Headers for a JSON request as `userId`. */
  as(userId: string, actorType?: 'human' | 'ai' | 'system'): Record<string, string>;
  close(): Promise<void>;
}

/**
 * The real app on its own database and a free port; `options.logs` to read its log lines;
 * `reachDatabase` for the URL the app takes to it (through a `tcpProxy`, say).
 */
export const startTestApp = async (
  overrides: Record<string, string> = {},
  options: AppOptions = {},
  reachDatabase: (db: TestDatabase) => Promise<string> | string = (db) => db.url,
): Promise<TestApp> => {
  const db = await createTestDatabase();
  const env = validateEnvironment({ DATABASE_URL: await reachDatabase(db), PORT: '0', LOG_LEVEL: 'error', ...overrides });
  const app = await createApp(env, { docsUi: false, ...options });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const jwt = app.get(JwtService);
  const tokenFor = (userId: string, actorType: 'human' | 'ai' | 'system' = 'human') => jwt.sign({ sub: userId, actorType });
  return {
    app,
    db,
    baseUrl: `http://127.0.0.1:${port}`,
    tokenFor,
    as: (userId, actorType) => ({ authorization: `Bearer ${tokenFor(userId, actorType)}`, 'content-type': 'application/json' }),
    async close() {
      await app.close();
      await db.drop();
    },
  };
};

/** Another process of the app (`ROLE=web`) on `first`'s database, as a second replica would be: its app and base URL. */
export const startAnotherProcess = async (first: TestApp): Promise<{ readonly app: NestFastifyApplication; readonly baseUrl: string }> => {
  const app = await createApp(validateEnvironment({ DATABASE_URL: first.db.url, PORT: '0', LOG_LEVEL: 'error', ROLE: 'web' }), { docsUi: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  return { app, baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
};
