import pg from 'pg';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('GET /health', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  it('answers 200 with the database up', async () => {
    const response = await fetch(`${testApp.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
  });

  it('answers 503 naming the database, in the common error shape, when PostgreSQL refuses connections', async () => {
    const admin = new pg.Client({ connectionString: process.env.CHRONICLE_TEST_ADMIN_URL });
    await admin.connect();
    const database = testApp.db.name;
    try {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database]);
      const response = await fetch(`${testApp.baseUrl}/health`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        error: { code: 'SERVICE_UNAVAILABLE', details: { status: 'error', error: { database: { status: 'down' } } } },
      });
    } finally {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
  });

  it('serves the OpenAPI document listing the health route', async () => {
    const response = await fetch(`${testApp.baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toContain('/health');
  });
});
