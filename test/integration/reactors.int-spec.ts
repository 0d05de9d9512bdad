import { IsInt } from 'class-validator';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { AsyncProjection } from '../../src/event-sourcing/projections/async-projection.js';
import { SubscriptionControls as ProjectionControls } from '../../src/event-sourcing/subscriptions/subscription-controls.js';
import { ReactorRunner } from '../../src/event-sourcing/projections/reactor-runner.js';
import { withReactors, type Reactor } from '../../src/event-sourcing/projections/reactor.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import type { RecordedEvent } from '../../src/event-sourcing/store/event-envelope.js';
import { inTransaction } from '../../src/event-sourcing/store/in-transaction.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class Rang {
  @IsInt() times!: number;
}

const actor = { actor: { type: 'system' as const, id: 'test' } };

describe('reactors', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const reacted: string[] = [];
  let failuresLeft = 0;
  const reactor: Reactor = {
    name: 'bell-reactor',
    handles: ['bell.rang'],
    dedupKey: (event) => event.aggregateId,
    maxAttempts: 3,
    react: async (event) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('mail server down');
      }
      reacted.push(event.aggregateId);
    },
  };
  // The projection the reactor follows; failing it must enqueue nothing.
  let projectionFails = false;
  const projection: AsyncProjection = {
    name: 'bells',
    handles: ['bell.rang'],
    tables: [],
    partitions: 1,
    errorPolicy: 'stop',
    maxAttempts: 1,
    apply: async () => {
      if (projectionFails) throw new Error('read model down');
    },
  };
  const followed = withReactors(projection, [reactor]);
  let runner: ReactorRunner;

  const ring = async (bell: string): Promise<RecordedEvent> =>
    (await store.append({ tenantId: 't', aggregateType: 'bell', aggregateId: bell }, [{ type: 'bell.rang', data: { times: 1 }, metadata: actor }]))
      .events[0];
  const project = (events: RecordedEvent[]) => inTransaction(db.pool, (client) => followed.apply(client, events, {}));
  const jobs = async () =>
    (await db.pool.query<{ dedup_key: string; done: boolean; failed: boolean; attempts: number; last_error: string | null }>(
      `SELECT dedup_key, done_at IS NOT NULL AS done, failed_at IS NOT NULL AS failed, attempts, last_error FROM reactor_jobs ORDER BY id`,
    )).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool, new EventRegistry().register({ type: 'bell.rang', payload: Rang }));
    runner = new ReactorRunner(db.pool, store, [reactor]);
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await db.pool.query(`DELETE FROM reactor_jobs`);
    reacted.length = 0;
    failuresLeft = 0;
    projectionFails = false;
  });

  describe('after the projection commits', () => {
    it('reacts once per de-duplication key', async () => {
      const bell = randomUUID();
      await project([await ring(bell), await ring(bell)]);
      await project([await ring(bell)]);

      expect(await runner.runDue(reactor)).toBe(1);
      expect(reacted).toEqual([bell]);
      expect(await jobs()).toMatchObject([{ dedup_key: bell, done: true, attempts: 1 }]);
    });
  });

  describe('when the projection fails', () => {
    it('enqueues nothing: the job commits with the read model or not at all', async () => {
      projectionFails = true;
      await expect(project([await ring(randomUUID())])).rejects.toThrow('read model down');
      expect(await jobs()).toEqual([]);
    });
  });

  describe('with a delay', () => {
    it('waits until the job is due', async () => {
      const delayed = withReactors(projection, [{ ...reactor, delayMs: 400 }]);
      await inTransaction(db.pool, async (client) => delayed.apply(client, [await ring(randomUUID())], {}));
      expect(await runner.runDue(reactor)).toBe(0);
      await sleep(500);
      expect(await runner.runDue(reactor)).toBe(1);
      expect(reacted).toHaveLength(1);
    });
  });

  describe('when the side effect fails', () => {
    it('retries with backoff, then keeps the job as failed with its error', async () => {
      failuresLeft = 10;
      await project([await ring(randomUUID())]);
      for (let attempt = 0; attempt < 3; attempt++) {
        await db.pool.query(`UPDATE reactor_jobs SET due_at = now()`);
        await runner.runDue(reactor);
      }
      expect(await jobs()).toMatchObject([{ done: false, failed: true, attempts: 3, last_error: 'mail server down' }]);
      expect(reacted).toEqual([]);
    });

    it('succeeds on a later attempt', async () => {
      failuresLeft = 1;
      const bell = randomUUID();
      await project([await ring(bell)]);
      await runner.runDue(reactor);
      await db.pool.query(`UPDATE reactor_jobs SET due_at = now()`);
      await runner.runDue(reactor);
      expect(reacted).toEqual([bell]);
      expect(await jobs()).toMatchObject([{ done: true, attempts: 2 }]);
    });
  });

  describe('when paused by the kill switch', () => {
    it('takes no job until resumed, then runs it', async () => {
      const controls = new ProjectionControls(db.pool);
      await controls.setPaused(reactor.name, true);
      await project([await ring(randomUUID())]);
      expect(await runner.runDue(reactor)).toBe(0);
      await controls.setPaused(reactor.name, false);
      expect(await runner.runDue(reactor)).toBe(1);
    });
  });
});
