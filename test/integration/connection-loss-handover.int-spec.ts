import pg from 'pg';
import { checkOutClient } from '../../src/event-sourcing/store/check-out-client.js';
import { inTransaction } from '../../src/event-sourcing/store/in-transaction.js';
import { endsReadyForQuery, fatalGoodbye } from '../support/postgres-wire.js';
import { proxied, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A backend terminated just as its query finishes (a failover, `pg_terminate_backend`): the
 * query's last rows and the server's FATAL goodbye arrive in one socket read. `pool.query`
 * releases the client on the rows and the pool hands it to the core's next checkout waiting for
 * one, before that caller resumes to listen for errors. The FATAL must fail the waiter's queries, not the
 * process: without a listener, Jest reports "Unhandled error" (as a CI run of the database-loss
 * test once did) and a server would exit.
 */
describe('a connection lost as the pool hands it over', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    let url: string;
    ({ proxy, url } = await proxied(db.url, 5432));
    // One connection, so the second caller surely waits for the first one's.
    pool = new pg.Pool({ connectionString: url, max: 1 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool.end();
    await proxy.close();
    await db.drop();
  });

  const loseTheConnectionAfterTheNextReply = async () => {
    await pool.query('SELECT 1'); // connected, so the next reply is a query's, not the handshake's
    proxy.lastReply(endsReadyForQuery, (chunk) => Buffer.concat([chunk, fatalGoodbye()]));
  };

  it('fails the waiting caller’s queries, not the process, and the pool reconnects', async () => {
    await loseTheConnectionAfterTheNextReply();
    const first = pool.query<{ n: number }>('SELECT 1 AS n');
    const waiting = checkOutClient(pool);

    expect((await first).rows).toEqual([{ n: 1 }]);
    const handedOver = await waiting;
    await expect(handedOver.query('SELECT 1')).rejects.toThrow();
    handedOver.release();

    expect((await pool.query<{ n: number }>('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
  });

  it('fails a transaction that was waiting for the connection, and the next one commits', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS handover_marks (id int PRIMARY KEY)');
    await loseTheConnectionAfterTheNextReply();
    const first = pool.query('SELECT 1');
    const waiting = inTransaction(pool, (client) => client.query('INSERT INTO handover_marks VALUES (1)'));

    await first;
    await expect(waiting).rejects.toThrow();
    expect((await pool.query('SELECT id FROM handover_marks')).rows).toEqual([]);
    await inTransaction(pool, (client) => client.query('INSERT INTO handover_marks VALUES (2)'));
    expect((await pool.query('SELECT id FROM handover_marks')).rows).toEqual([{ id: 2 }]);
  });
});
