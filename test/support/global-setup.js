// Plain JS: Jest loads globalSetup outside its module mapper, so it uses the compiled
// sources (npm's `pretest` builds them).
import { createServer } from 'node:net';
import pg from 'pg';
import { EmbeddedPostgresServer } from '../../dist/src/database/embedded-postgres.server.js';
import { runMigrations } from '../../dist/src/database/run-migrations.js';
import { withDatabase } from '../../dist/src/database/database-url.js';

const freePort = () =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });

/**
 * One PostgreSQL for the whole run: DATABASE_URL's when set, else an embedded server on a
 * free port. A migrated template database lets every test file clone its own database.
 */
export default async function globalSetup() {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const server = new EmbeddedPostgresServer({
      dataDir: `.data/test-postgres-${process.pid}`,
      port: await freePort(),
      ephemeral: true,
    });
    adminUrl = await server.start();
    globalThis.chronicleTestServer = server;
  }
  const template = `chronicle_template_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await runMigrations(withDatabase(adminUrl, template));
  process.env.CHRONICLE_TEST_ADMIN_URL = adminUrl;
  process.env.CHRONICLE_TEST_TEMPLATE = template;
}
