import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { orders, payments } from '../../src/event-sourcing/sagas/order-deposit.fixtures.js';
import { sagaSteppedType } from '../../src/event-sourcing/sagas/saga-stream.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const ENTRY = fileURLToPath(new URL('../support/saga-worker.process.js', import.meta.url));

interface SagaWorker {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A saga worker process killed with SIGKILL in the middle of a step's effects: its sender sent
 * a command and died before it had the answer. The statement that stored the command's events
 * marked it applied too, so no other worker sends it again once the claim lapses. (A command
 * stored but not marked, as a sender from before that left it, is sent again with the same id
 * and stored once: `sagas.int-spec.ts`.)
 */
describe('a saga worker killed mid-step', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const workers: SagaWorker[] = [];

  const launch = (env: Record<string, string>): SagaWorker => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { ...process.env, DATABASE_URL: db.url, CLAIM_SECONDS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk.toString().trimEnd()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const worker = { child, lines, exited };
    workers.push(worker);
    return worker;
  };
  const ready = async (worker: SagaWorker) => {
    for (let i = 0; i < 400 && !worker.lines.includes('ready'); i++) await sleep(25);
    if (!worker.lines.includes('ready')) throw new Error(`the saga worker did not start:\n${worker.lines.join('\n')}`);
  };
  const outbox = async (orderId: string) =>
    (await db.pool.query(`SELECT type, sent_at, outcome FROM saga_commands WHERE instance_key = $1`, [orderId])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool, new EventRegistry().register(...orders.eventDefinitions, ...payments.eventDefinitions, sagaSteppedType));
  });
  afterAll(async () => {
    for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db.drop();
  });

  it('leaves the command it sent marked applied with its events: another worker does not send it again', async () => {
    const victim = launch({ CRASH_AFTER_SENDING: 'RequestPayment' });
    await ready(victim);
    const tenant = `tenant-${randomUUID()}`;
    const place = (orderId: string) =>
      store.append(orders.streamOf(tenant, orderId), [
        { type: 'order.placed', data: { orderId, deposit: 700 }, metadata: { actor: { type: 'human', id: 'u-1' } } },
      ]);
    const paymentsOf = async (orderId: string) => (await store.readStream(payments.streamOf(tenant, orderId))).map((e) => e.type);
    const orderId = randomUUID();
    await place(orderId);

    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(victim.lines).toContain('crash RequestPayment');
    const marked = await outbox(orderId);
    expect(marked).toEqual([{ type: 'RequestPayment', sent_at: expect.any(Date), outcome: 'applied' }]);
    expect(await paymentsOf(orderId)).toEqual(['payment.requested']);

    const survivor = launch({});
    await ready(survivor);
    // Once the victim's claim has lapsed, the survivor's sender sends another order's command: it has looked at the outbox since.
    const lapsed = `SELECT claimed_until < clock_timestamp() AS lapsed FROM saga_commands WHERE instance_key = $1`;
    for (let i = 0; i < 100 && !(await db.pool.query(lapsed, [orderId])).rows[0].lapsed; i++) await sleep(50);
    const next = randomUUID();
    await place(next);
    for (let i = 0; i < 200 && (await outbox(next))[0]?.outcome !== 'applied'; i++) await sleep(50);

    expect(await outbox(next)).toEqual([{ type: 'RequestPayment', sent_at: expect.any(Date), outcome: 'applied' }]);
    expect(await outbox(orderId)).toEqual(marked);
    expect(await paymentsOf(orderId)).toEqual(['payment.requested']);
    survivor.child.kill('SIGTERM');
    expect((await survivor.exited).code).toBe(0);
  });
});
