import pg from 'pg';
import { inTransaction } from '../../src/event-sourcing/store/in-transaction.js';
import { proxied, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A server gone silent inside a transaction (the network lost it mid-statement): pg gives up
 * on the statement after its query_timeout, and the transaction fails then, once. A ROLLBACK
 * sent on that connection would queue behind the stuck statement and wait as long again.
 */
const QUERY_TIMEOUT_MS = 1_000;

describe('a transaction whose server goes silent', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    let url: string;
    ({ proxy, url } = await proxied(db.url, 5432));
    pool = new pg.Pool({ connectionString: url, max: 2, query_timeout: QUERY_TIMEOUT_MS });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await proxy?.close();
    await pool?.end();
    await db?.drop();
  });

  it('fails after one query timeout, and the pool serves again on a new connection', async () => {
    const started = Date.now();
    const failed = inTransaction(pool, async (client) => {
      await client.query('SELECT 1');
      proxy.freeze();
      await client.query('SELECT 2');
    });

    await expect(failed).rejects.toThrow('Query read timeout');
    expect(Date.now() - started).toBeLessThan(QUERY_TIMEOUT_MS * 2);
    expect((await pool.query('SELECT 3 AS n')).rows).toEqual([{ n: 3 }]);
  });
});
