import pg from 'pg';

export default async function globalTeardown() {
  const adminUrl = process.env.CHRONICLE_TEST_ADMIN_URL;
  const template = process.env.CHRONICLE_TEST_TEMPLATE;
  if (adminUrl && template) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  }
  await globalThis.chronicleTestServer?.stop();
}
