import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AggregateCatalog } from '../../src/event-sourcing/aggregates/aggregate-catalog.js';
import { AggregateRepository } from '../../src/event-sourcing/aggregates/aggregate-repository.js';
import { InlineProjections } from '../../src/event-sourcing/aggregates/inline-projections.js';
import { SnapshotStore } from '../../src/event-sourcing/aggregates/snapshot-store.js';
import type { DomainEvent } from '../../src/event-sourcing/domain/decider.js';
import { depositSaga, orders, payments } from '../../src/event-sourcing/sagas/order-deposit.fixtures.js';
import { defineSaga } from '../../src/event-sourcing/sagas/saga.js';
import { SAGA_ACTOR } from '../../src/event-sourcing/sagas/saga-commit.js';
import { SagaCommandDispatcher } from '../../src/event-sourcing/sagas/saga-command-dispatcher.js';
import { SagaDeadlines } from '../../src/event-sourcing/sagas/saga-deadlines.js';
import { SagaCommandAlreadySent, SagaCommandNotFound, SagaOutbox } from '../../src/event-sourcing/sagas/saga-outbox.js';
import { SagaRuntime } from '../../src/event-sourcing/sagas/saga-runtime.js';
import { sagaStream, sagaSteppedType } from '../../src/event-sourcing/sagas/saga-stream.js';
import { sagaSubscriptionName } from '../../src/event-sourcing/sagas/saga-subscription.js';
import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { PostgresSubscriptionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The saga runtime on real PostgreSQL, with the subscription worker: steps recorded on the
 * instance's stream, commands sent through the outbox once, deadlines that survive stopped
 * workers, correlation and causation carried from the triggering event to the commands' events.
 */
describe('sagas on PostgreSQL', () => {
  const TENANT = 'tenant-sagas';
  let db: TestDatabase;
  let store: PostgresEventStore;
  let registry: EventRegistry;
  let repository: AggregateRepository;
  let catalog: AggregateCatalog;
  let running: { worker: SubscriptionWorker; runtime: SagaRuntime } | undefined;

  const start = async () => {
    const runtime = new SagaRuntime(store, db.pool, repository, catalog, [depositSaga], { commandPollMs: 50, deadlinePollMs: 50 });
    const worker = new SubscriptionWorker(db.pool, new PostgresSubscriptionLog(db.pool, registry), runtime.subscriptions(), {
      pollIntervalMs: 50,
      heartbeatMs: 200,
    });
    await worker.start();
    runtime.start();
    running = { worker, runtime };
  };
  const stop = async () => {
    await running?.runtime.stop();
    await running?.worker.stop();
    running = undefined;
  };

  const orderStream = (orderId: string): StreamId => orders.streamOf(TENANT, orderId);
  const paymentStream = (orderId: string): StreamId => payments.streamOf(TENANT, orderId);
  const actor = { type: 'human' as const, id: 'u-1' };
  const place = async (orderId: string, deposit: number | null = 5000, correlationId?: string) =>
    (await store.append(orderStream(orderId), [{ type: 'order.placed', data: { orderId, deposit }, metadata: { actor, correlationId } }]))
      .events[0];
  const paymentSays = (orderId: string, type: 'payment.captured' | 'payment.failed') =>
    store.append(paymentStream(orderId), [{ type, data: { orderId }, metadata: { actor } }]);
  const closeByHand = (orderId: string) =>
    store.append(orderStream(orderId), [{ type: 'order.cancelled', data: { reason: 'guest called' }, metadata: { actor } }]);

  const typesOf = async (stream: StreamId) => (await store.readStream(stream)).map((e) => e.type);
  const eventually = async <T>(read: () => Promise<T>, until: (value: T) => boolean, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (until(value) || Date.now() > end) return value;
      await sleep(25);
    }
  };
  /** An order whose deposit was captured, its ConfirmOrder waiting in the outbox: the sender is stopped. */
  const confirmationWaiting = async (): Promise<string> => {
    await start();
    const orderId = randomUUID();
    await place(orderId);
    await eventually(() => typesOf(paymentStream(orderId)), (types) => types.length > 0);
    await running!.runtime.sending.stop();
    await paymentSays(orderId, 'payment.captured');
    const commands = `SELECT count(*)::int AS n FROM saga_commands WHERE instance_key = $1`;
    await eventually(async () => (await db.pool.query(commands, [orderId])).rows[0].n as number, (n) => n === 2);
    return orderId;
  };
  const commandIdOf = async (orderId: string, type: string): Promise<string> =>
    (await db.pool.query(`SELECT command_id FROM saga_commands WHERE type = $2 AND instance_key = $1`, [orderId, type])).rows[0].command_id;
  /**
   * What a sender from before outcomes were recorded with the events left when it died between
   * sending a command and marking it: the command's events stored, its row still unsent.
   */
  const sentUnmarked = async (commandId: string) => {
    const { rows } = await db.pool.query(`SELECT * FROM saga_commands WHERE command_id = $1`, [commandId]);
    const { tenant_id: tenantId, correlation_id: correlationId, causation_id: causationId, aggregate_type: aggregateType, type, data } = rows[0];
    const metadata = { now: new Date().toISOString(), actor: SAGA_ACTOR, tenantId, commandId, correlationId, causationId };
    await repository.execute(catalog.entry(aggregateType)!, { type, data, metadata });
  };
  /** The repository, but every command of instance `key` fails with an error that is no refusal. */
  const failingFor = (key: string) =>
    ({
      execute: (...args: Parameters<AggregateRepository['execute']>) =>
        (args[1].data as { orderId?: string }).orderId === key ? Promise.reject(new Error('deadlock detected')) : repository.execute(...args),
    }) as unknown as AggregateRepository;
  /** Whether a statement like `query` waits for a lock. */
  const waitingOnLock = async (query: string): Promise<boolean> =>
    (await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`, [query]))
      .rows.length > 0;
  /**
   * Holds appends of `stream`'s next version mid-statement: another transaction inserts that
   * version and keeps it uncommitted, so an append waits on the unique key, until the returned
   * release rolls it back. Call it in `finally`: an open transaction holds back every database's read fence.
   */
  /**
   * Fires the instance's due deadline: here, or by the running runtime's own poller, which may
   * take it first (SKIP LOCKED: this call then fires none). Waits until it is gone either way.
   */
  const deadlineFired = async (orderId: string): Promise<void> => {
    await running!.runtime.deadlines.fireDue();
    await eventually(async () => (await db.pool.query(`SELECT 1 FROM saga_deadlines WHERE instance_key = $1`, [orderId])).rowCount, (n) => n === 0);
  };

  const holdNextAppend = async (stream: StreamId): Promise<() => Promise<void>> => {
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO events (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version, data, metadata, occurred_at)
         SELECT gen_random_uuid(), $1, $2, $3, coalesce(max(version), 0) + 1, 'held.here', 1, '{}', '{}', now()
         FROM events WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3`,
        [stream.tenantId, stream.aggregateType, stream.aggregateId],
      );
    } catch (error) {
      await holder.query('ROLLBACK').finally(() => holder.release());
      throw error;
    }
    return () => holder.query('ROLLBACK').then(() => holder.release());
  };
  /** Whether a saga's subscription has read the whole log (its checkpoint at the last event). */
  const hasReadAll = async (saga: string): Promise<boolean> =>
    (
      await db.pool.query(
        `SELECT NOT EXISTS (SELECT FROM events e, projection_checkpoints c
           WHERE c.projection = $1 AND (e.transaction_id, e.position) > (c.transaction_id, c.position)) AS read`,
        [sagaSubscriptionName(saga)],
      )
    ).rows[0].read;
  const readAll = async (saga = depositSaga.name) => expect(await eventually(() => hasReadAll(saga), (read) => read)).toBe(true);
  /** A saga's subscription, and nothing else of its runtime (no outbox sender, no deadline poller): stopped by the caller. */
  const subscriptionOnly = async (): Promise<SubscriptionWorker> => {
    const subscriptions = new SagaRuntime(store, db.pool, repository, catalog, [depositSaga]).subscriptions();
    const worker = new SubscriptionWorker(db.pool, new PostgresSubscriptionLog(db.pool, registry), subscriptions, { pollIntervalMs: 50, heartbeatMs: 200 });
    await worker.start();
    return worker;
  };
  /** An order awaiting its deposit, whose saga has read the whole log; then no worker runs. */
  const awaitingWithNoWorker = async (): Promise<string> => {
    await start();
    const orderId = randomUUID();
    await place(orderId);
    await eventually(() => typesOf(paymentStream(orderId)), (types) => types.length > 0);
    await readAll();
    await stop();
    return orderId;
  };
  const fallDue = (orderId: string) =>
    db.pool.query(`UPDATE saga_deadlines SET due_at = clock_timestamp() - interval '1 second' WHERE instance_key = $1`, [orderId]);
  const deadlinesOf = async (orderId: string) =>
    (await db.pool.query(`SELECT name FROM saga_deadlines WHERE instance_key = $1`, [orderId])).rows.map((r) => r.name as string);

  beforeAll(async () => {
    db = await createTestDatabase(20);
    registry = new EventRegistry().register(...orders.eventDefinitions, ...payments.eventDefinitions, sagaSteppedType);
    store = new PostgresEventStore(db.pool, registry);
    catalog = new AggregateCatalog();
    catalog.register(orders);
    catalog.register(payments);
    repository = AggregateRepository.onPostgres(db.pool, store, new SnapshotStore(db.pool, registry), {
      inlineProjections: new InlineProjections(),
    });
  });
  afterEach(stop);
  afterAll(() => db.drop());

  it('requests the payment for an order with a deposit, correlated with the order and caused by its event', async () => {
    await start();
    const orderId = randomUUID();
    const placed = await place(orderId, 5000, 'booking-42');

    const [requested] = await eventually(() => store.readStream(paymentStream(orderId)), (events) => events.length > 0);
    expect(requested).toMatchObject({ type: 'payment.requested', data: { amount: 5000 } });
    // The dispatcher marks the command after its event commits: the outcome follows shortly.
    const commandsOf = async () =>
      (await db.pool.query(`SELECT command_id, causation_id, outcome FROM saga_commands WHERE instance_key = $1`, [orderId])).rows;
    const rows = await eventually(commandsOf, (found) => found.every((row) => row.outcome !== null));
    expect(rows).toEqual([{ command_id: requested.metadata.commandId, causation_id: placed.eventId, outcome: 'applied' }]);
    expect(requested.metadata).toMatchObject({ actor: { type: 'system', id: null }, correlationId: 'booking-42', causationId: requested.metadata.commandId });
    const steps = await store.readStream(sagaStream(depositSaga.name, TENANT, orderId));
    expect(steps.map((s) => [s.type, s.data])).toEqual([
      ['saga.stepped', expect.objectContaining({ trigger: 'order.placed', triggerId: placed.eventId, done: false })],
    ]);
    expect(await deadlinesOf(orderId)).toEqual(['deposit']);
  });

  it('has no instance for an order without a deposit', async () => {
    await start();
    const orderId = randomUUID();
    await place(orderId, null);
    const other = randomUUID();
    await place(other);
    await eventually(() => typesOf(paymentStream(other)), (types) => types.length > 0);

    expect(await typesOf(paymentStream(orderId))).toEqual([]);
    expect(await typesOf(sagaStream(depositSaga.name, TENANT, orderId))).toEqual([]);
  });

  it('confirms the order when the payment is captured, ends and drops its deadline', async () => {
    await start();
    const orderId = randomUUID();
    await place(orderId);
    await eventually(() => typesOf(paymentStream(orderId)), (types) => types.length > 0);
    await paymentSays(orderId, 'payment.captured');

    expect(await eventually(() => typesOf(orderStream(orderId)), (types) => types.length > 1)).toEqual(['order.placed', 'order.confirmed']);
    expect(await deadlinesOf(orderId)).toEqual([]);
  });

  it('fires a deadline that fell due while no worker ran, once, when workers come back', async () => {
    const orderId = await awaitingWithNoWorker();
    await fallDue(orderId);

    // Two pollers race for it, as two workers would.
    const pollers = [1, 2].map(() => new SagaDeadlines(db.pool, store, [depositSaga]));
    expect((await Promise.all(pollers.map((p) => p.fireDue()))).reduce((a, b) => a + b)).toBe(1);
    await start();

    expect(await eventually(() => typesOf(orderStream(orderId)), (types) => types.length > 1)).toEqual(['order.placed', 'order.cancelled']);
    expect(await eventually(() => typesOf(paymentStream(orderId)), (types) => types.length > 1)).toEqual([
      'payment.requested',
      'payment.voided',
    ]);
    await sleep(300);
    expect(await typesOf(orderStream(orderId))).toEqual(['order.placed', 'order.cancelled']);
  });

  it('holds a due deadline back until the saga has read an event committed before it fell due: a capture in time wins', async () => {
    const orderId = await awaitingWithNoWorker();
    // Captured while no worker runs the saga (a web process took the provider's answer), then the deadline falls due.
    await paymentSays(orderId, 'payment.captured');
    await fallDue(orderId);
    const poller = new SagaDeadlines(db.pool, store, [depositSaga]);

    await expect(poller.fireDue()).resolves.toBe(0);
    expect(await deadlinesOf(orderId)).toEqual(['deposit']);

    await start();
    expect(await eventually(() => typesOf(orderStream(orderId)), (types) => types.length > 1)).toEqual(['order.placed', 'order.confirmed']);
    expect(await deadlinesOf(orderId)).toEqual([]);
    await sleep(300);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.captured']);
  });

  it('fires a due deadline once the saga has read what was committed before it fell due, however far behind a busy log it stays', async () => {
    const orderId = await awaitingWithNoWorker();
    await fallDue(orderId);
    await place(randomUUID(), null); // committed after the deadline fell due, not yet read
    const poller = new SagaDeadlines(db.pool, store, [depositSaga]);
    await expect(poller.fireDue()).resolves.toBe(0);

    // The subscription reads that much, and the log has moved on again before the next round.
    const worker = await subscriptionOnly();
    await readAll().finally(() => worker.stop());
    await place(randomUUID(), null);
    expect(await hasReadAll(depositSaga.name)).toBe(false);

    await expect(poller.fireDue()).resolves.toBe(1);
    expect(await deadlinesOf(orderId)).toEqual([]);
  });

  it('fires the other due deadlines when one fails every time, and tries that one again only after a pause', async () => {
    // A saga whose reaction to one deadline throws: a bug in the saga, not in the runtime.
    const faulty = defineSaga<{ n: number }, DomainEvent<'never.happens', object>>({
      name: `faulty-${randomUUID().slice(0, 8)}`,
      startedBy: ['never.happens'],
      follows: [],
      correlate: () => null,
      initialState: { n: 0 },
      evolve: (state) => ({ n: state.n + 1 }),
      react: (message) => {
        if (message.type === 'deadline.reached' && message.data.name === 'explode') throw new Error('this reaction always fails');
        return {};
      },
      isDone: () => false,
    });
    const instances = [randomUUID(), randomUUID()];
    for (const key of instances) {
      const started = { trigger: 'never.happens', triggerId: randomUUID(), state: { n: 0 }, done: false, commandIds: [] };
      await store.append(sagaStream(faulty.name, TENANT, key), [{ type: 'saga.stepped', data: started, metadata: { actor } }]);
    }
    const deadline = `INSERT INTO saga_deadlines (saga, tenant_id, instance_key, name, due_at, deadline_id, correlation_id)
       VALUES ($1, $2, $3, $4, clock_timestamp() - make_interval(secs => $5), gen_random_uuid(), 'c-faulty')`;
    await db.pool.query(deadline, [faulty.name, TENANT, instances[0], 'explode', 60]); // due first
    await db.pool.query(deadline, [faulty.name, TENANT, instances[1], 'fine', 30]);
    // Its subscription (run by no worker here) has read the whole log: its deadlines may fire.
    await db.pool.query(
      `INSERT INTO projection_checkpoints (projection, partition, transaction_id, position)
       SELECT $1, 0, transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1`,
      [sagaSubscriptionName(faulty.name)],
    );
    const logged: string[] = [];
    const poller = new SagaDeadlines(db.pool, store, [faulty], { log: (line) => logged.push(line) });

    await expect(poller.fireDue()).resolves.toBe(1);
    await expect(poller.fireDue()).resolves.toBe(0);

    const pending = await db.pool.query(`SELECT instance_key, name FROM saga_deadlines WHERE saga = $1`, [faulty.name]);
    expect(pending.rows).toEqual([{ instance_key: instances[0], name: 'explode' }]);
    expect((await store.readStream(sagaStream(faulty.name, TENANT, instances[1]))).map((e) => (e.data as { trigger: string }).trigger)).toEqual([
      'never.happens',
      'deadline.reached',
    ]);
    expect(logged).toEqual([expect.stringMatching(/deadline explode .*this reaction always fails.*tried again in 1 s$/)]);

    await sleep(1_100);
    await expect(poller.fireDue()).resolves.toBe(0);
    expect(logged[1]).toMatch(/tried again in 2 s$/);
  });

  it('stores a command sent again after its sender died once (the same id, the same events)', async () => {
    await start();
    await running!.runtime.sending.stop();
    const orderId = randomUUID();
    await place(orderId);
    const outbox = async () => (await db.pool.query(`SELECT command_id, outcome FROM saga_commands WHERE instance_key = $1`, [orderId])).rows;
    const [{ command_id: requestId }] = await eventually(outbox, (rows) => rows.length === 1);
    await sentUnmarked(requestId);
    await stop();

    await start();
    expect(await eventually(outbox, (rows) => rows[0].outcome !== null)).toEqual([{ command_id: requestId, outcome: 'applied' }]);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested']);
  });

  it('marks applied a command sent again after its sender died, which deciding again would refuse, and compensates nothing', async () => {
    const orderId = await confirmationWaiting();
    const outbox = async () =>
      (await db.pool.query(`SELECT type, outcome, error FROM saga_commands WHERE instance_key = $1 ORDER BY created_at`, [orderId])).rows;
    // The saga's subscription stops before it sees the order confirmed (as when the process
    // that ran it and the sender died): the saga still waits for its confirmation.
    await running!.worker.stop();
    const dispatcher = running!.runtime.dispatcher;
    // ConfirmOrder applied, and its sender died before marking it sent: the order is closed now, so
    // ConfirmOrder decided again would be refused ORDER_CLOSED, and the saga would void the payment.
    await sentUnmarked(await commandIdOf(orderId, 'ConfirmOrder'));

    expect(await dispatcher.dispatchOnce()).toBe(1);

    expect(await outbox()).toEqual([
      { type: 'RequestPayment', outcome: 'applied', error: null },
      { type: 'ConfirmOrder', outcome: 'applied', error: null },
    ]);
    expect(await typesOf(orderStream(orderId))).toEqual(['order.placed', 'order.confirmed']);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.captured']);
  });

  it('sends the rest of a batch when one command fails with an error that is not a refusal, and keeps that one, and its instance’s later ones, for later', async () => {
    await start();
    await running!.runtime.sending.stop();
    // Commands of one instance fail with an error that is no refusal (a deadlock, say).
    const broken = randomUUID();
    const sender = new SagaCommandDispatcher(db.pool, store, failingFor(broken), catalog, [depositSaga]);
    const outboxRow = `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id, created_at)
       VALUES ($1, $2, $3, $4, 'payment', $5, $6, 'c-broken', 'e-broken', clock_timestamp() - make_interval(secs => $7))`;
    const brokenFirst = randomUUID();
    const brokenThen = randomUUID();
    await db.pool.query(outboxRow, [brokenFirst, depositSaga.name, TENANT, broken, 'RequestPayment', { orderId: broken, amount: 1 }, 60]);
    await db.pool.query(outboxRow, [brokenThen, depositSaga.name, TENANT, broken, 'VoidPayment', { orderId: broken, amount: 1 }, 30]);
    const orderId = randomUUID();
    await place(orderId);
    const sent = `SELECT command_id, sent_at IS NOT NULL AS sent, outcome, claimed_until > clock_timestamp() AS claimed FROM saga_commands WHERE instance_key = $1 ORDER BY created_at`;
    await eventually(async () => (await db.pool.query(sent, [orderId])).rows, (rows) => rows.length === 1);

    // The broken instance's first command and the order's; the broken one's later command waits its turn.
    await expect(sender.dispatchOnce()).resolves.toBe(2);

    expect((await db.pool.query(sent, [orderId])).rows).toEqual([expect.objectContaining({ sent: true, outcome: 'applied' })]);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested']);
    // The one that failed waits for its claim to lapse; the later one is not even claimed before it has an outcome.
    expect((await db.pool.query(sent, [broken])).rows).toEqual([
      { command_id: brokenFirst, sent: false, outcome: null, claimed: true },
      { command_id: brokenThen, sent: false, outcome: null, claimed: null },
    ]);
    await expect(sender.dispatchOnce()).resolves.toBe(0);
    expect(await typesOf(paymentStream(broken))).toEqual([]);
  });

  it('holds an instance’s later commands behind an earlier one that failed, also those decided after the failure', async () => {
    await start();
    await running!.runtime.sending.stop();
    const orderId = randomUUID();
    await place(orderId);
    const outbox = `SELECT type, sent_at IS NOT NULL AS sent FROM saga_commands WHERE instance_key = $1 ORDER BY seq`;
    await eventually(async () => (await db.pool.query(outbox, [orderId])).rows, (rows) => rows.length === 1);
    // RequestPayment fails once (an error that is not a refusal, e.g. a deadlock): it waits for its claim to lapse.
    let failures = 0;
    const flaky = {
      execute: (...args: Parameters<AggregateRepository['execute']>) =>
        args[1].type === 'RequestPayment' && failures++ === 0 ? Promise.reject(new Error('deadlock detected')) : repository.execute(...args),
    };
    const sender = new SagaCommandDispatcher(db.pool, store, flaky as unknown as AggregateRepository, catalog, [depositSaga]);
    expect(await sender.dispatchOnce()).toBe(1);
    // Its deadline falls due meanwhile: CancelOrder and VoidPayment are decided, after it.
    await db.pool.query(`UPDATE saga_deadlines SET due_at = now() - interval '1 second' WHERE instance_key = $1`, [orderId]);
    await deadlineFired(orderId);

    // Sent ahead of RequestPayment, VoidPayment would find no payment, and the payment requested later would stay.
    expect(await sender.dispatchOnce()).toBe(0);
    expect((await db.pool.query(outbox, [orderId])).rows).toEqual([
      { type: 'RequestPayment', sent: false },
      { type: 'CancelOrder', sent: false },
      { type: 'VoidPayment', sent: false },
    ]);
    // Once its claim lapses, it goes, and the rest after it, in order.
    await db.pool.query(`UPDATE saga_commands SET claimed_until = NULL WHERE instance_key = $1`, [orderId]);
    while ((await sender.dispatchOnce()) > 0);
    expect((await db.pool.query(outbox, [orderId])).rows.every((row) => row.sent)).toBe(true);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.voided']);
    expect(await typesOf(orderStream(orderId))).toEqual(['order.placed', 'order.cancelled']);
  });

  it('does not send an instance’s later command while another sender still sends its earlier one (two workers)', async () => {
    await start();
    await running!.runtime.sending.stop();
    const orderId = randomUUID();
    await place(orderId);
    const outbox = `SELECT type FROM saga_commands WHERE instance_key = $1`;
    await eventually(async () => (await db.pool.query(outbox, [orderId])).rows, (rows) => rows.length === 1);
    // Worker A's sender claims RequestPayment and is slow to send it (well within its claim).
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const slowRepository = { execute: async (...args: Parameters<AggregateRepository['execute']>) => (await slow, repository.execute(...args)) };
    const workerA = new SagaCommandDispatcher(db.pool, store, slowRepository as unknown as AggregateRepository, catalog, [depositSaga]);
    const workerB = new SagaCommandDispatcher(db.pool, store, repository, catalog, [depositSaga]);
    const aSending = workerA.dispatchOnce();
    try {
      await sleep(100);
      // The deadline falls due: CancelOrder and VoidPayment, which worker B's sender finds.
      await db.pool.query(`UPDATE saga_deadlines SET due_at = now() - interval '1 second' WHERE instance_key = $1`, [orderId]);
      await deadlineFired(orderId);
      expect(await workerB.dispatchOnce()).toBe(0);
    } finally {
      release();
      await aSending;
    }
    while ((await workerB.dispatchOnce()) > 0);

    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.voided']);
  });

  it('sends one step’s commands in the order the step decided them', async () => {
    await start();
    await running!.runtime.sending.stop();
    const orderId = randomUUID();
    await place(orderId);
    await eventually(async () => (await db.pool.query(`SELECT 1 FROM saga_commands WHERE instance_key = $1`, [orderId])).rows, (rows) => rows.length === 1);
    await db.pool.query(`UPDATE saga_deadlines SET due_at = now() - interval '1 second' WHERE instance_key = $1`, [orderId]);
    await deadlineFired(orderId);

    const { rows } = await db.pool.query(`SELECT type FROM saga_commands WHERE instance_key = $1 ORDER BY seq`, [orderId]);
    expect(rows.map((row) => row.type)).toEqual(['RequestPayment', 'CancelOrder', 'VoidPayment']);
    // Operators see them in that order too: the earliest, the one to give up first, comes first.
    const listed = (await new SagaOutbox(db.pool).unsent({ saga: depositSaga.name, limit: 500 })).filter((c) => c.key === orderId);
    expect(listed.map((command) => command.type)).toEqual(['RequestPayment', 'CancelOrder', 'VoidPayment']);
  });

  it('counts the failed sends of a command that keeps failing, with its last error, for operators to see', async () => {
    const broken = randomUUID();
    const commandId = randomUUID();
    await db.pool.query(
      `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id)
       VALUES ($1, $2, $3, $4, 'payment', 'RequestPayment', $5, 'c-failing', 'e-failing')`,
      [commandId, depositSaga.name, TENANT, broken, { orderId: broken, amount: 1 }],
    );
    // Claims of 0 s lapse at once: each pass sends it again.
    const dispatcher = new SagaCommandDispatcher(db.pool, store, failingFor(broken), catalog, [depositSaga], { claimSeconds: 0 });
    await dispatcher.dispatchOnce();
    await dispatcher.dispatchOnce();

    const [listed] = (await new SagaOutbox(db.pool).unsent({ saga: depositSaga.name, limit: 500 })).filter((c) => c.commandId === commandId);
    expect(listed).toMatchObject({ key: broken, type: 'RequestPayment', attempts: 2, giveUpBy: null, lastFailedAt: expect.any(String) });
    expect(listed.lastError).toMatch(/deadlock detected/);
  });

  it('records a command whose events fail their own payload schema as refused INVALID_EVENT_PAYLOAD, once, and hands that to the saga', async () => {
    await start();
    await running!.runtime.sending.stop();
    const orderId = randomUUID();
    await place(orderId);
    const outbox = `SELECT type, outcome, error->>'code' AS code, attempts FROM saga_commands WHERE instance_key = $1 ORDER BY seq`;
    await eventually(async () => (await db.pool.query(outbox, [orderId])).rows, (rows) => rows.length === 1);
    // A step's command whose event no payload schema takes (payment.voided's amount is an integer): sent again, it fails again.
    await db.pool.query(
      `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id)
       VALUES (gen_random_uuid(), $1, $2, $3, 'payment', 'VoidPayment', $4, 'c-unstorable', 'e-unstorable')`,
      [depositSaga.name, TENANT, orderId, { orderId, amount: 1.5 }],
    );
    const logged: string[] = [];
    const sender = new SagaCommandDispatcher(db.pool, store, repository, catalog, [depositSaga], { log: (line) => logged.push(line) });

    while ((await sender.dispatchOnce()) > 0); // RequestPayment; the unstorable VoidPayment, refused; the saga's compensation

    expect((await db.pool.query(outbox, [orderId])).rows).toEqual([
      { type: 'RequestPayment', outcome: 'applied', code: null, attempts: 0 },
      { type: 'VoidPayment', outcome: 'refused', code: 'INVALID_EVENT_PAYLOAD', attempts: 0 },
      { type: 'VoidPayment', outcome: 'applied', code: null, attempts: 0 },
    ]);
    const steps = await store.readStream(sagaStream(depositSaga.name, TENANT, orderId));
    expect(steps.map((step) => (step.data as { trigger: string }).trigger)).toEqual(['order.placed', 'command.refused']);
    expect(logged).toEqual([expect.stringMatching(/VoidPayment .* refused INVALID_EVENT_PAYLOAD: Invalid payload for "payment.voided"/)]);
  });

  it('gives up a command at its next claim once an operator asked: recorded refused GIVEN_UP, and the saga compensates', async () => {
    const orderId = await confirmationWaiting();
    const confirmId = (await db.pool.query(`SELECT command_id FROM saga_commands WHERE type = 'ConfirmOrder' AND instance_key = $1`, [orderId]))
      .rows[0].command_id as string;
    const outbox = new SagaOutbox(db.pool);

    await expect(outbox.giveUp(confirmId, 'olga')).resolves.toMatchObject({ commandId: confirmId, giveUpBy: 'olga' });
    const dispatcher = running!.runtime.dispatcher;
    expect(await dispatcher.dispatchOnce()).toBe(1); // ConfirmOrder: given up, and the saga voids the payment
    expect(await dispatcher.dispatchOnce()).toBe(1); // VoidPayment

    const { rows } = await db.pool.query(`SELECT type, outcome, error FROM saga_commands WHERE instance_key = $1 ORDER BY created_at`, [orderId]);
    expect(rows.map((r) => [r.type, r.outcome, r.error?.code])).toEqual([
      ['RequestPayment', 'applied', undefined],
      ['ConfirmOrder', 'refused', 'GIVEN_UP'],
      ['VoidPayment', 'applied', undefined],
    ]);
    expect(rows[1].error.message).toMatch(/olga/);
    expect(await typesOf(orderStream(orderId))).toEqual(['order.placed']);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.captured', 'payment.voided']);
    await expect(outbox.giveUp(confirmId, 'olga')).rejects.toBeInstanceOf(SagaCommandAlreadySent);
    await expect(outbox.giveUp(randomUUID(), 'olga')).rejects.toBeInstanceOf(SagaCommandNotFound);
  });

  it('sends a given-up command again rather than give it up while a slow send of it, whose claim lapsed, may still commit', async () => {
    const orderId = await confirmationWaiting();
    await running!.worker.stop();
    const confirmId = (await db.pool.query(`SELECT command_id FROM saga_commands WHERE type = 'ConfirmOrder' AND instance_key = $1`, [orderId]))
      .rows[0].command_id as string;
    let slowSent!: () => void;
    const slow = new Promise<void>((resolve) => (slowSent = resolve));
    const slowRepository = { execute: async (...args: Parameters<AggregateRepository['execute']>) => (await slow, repository.execute(...args)) };
    const first = new SagaCommandDispatcher(db.pool, store, slowRepository as unknown as AggregateRepository, catalog, [depositSaga], { claimSeconds: 0 });
    const next = new SagaCommandDispatcher(db.pool, store, repository, catalog, [depositSaga], { claimSeconds: 0 });

    const firstSending = first.dispatchOnce(); // claims ConfirmOrder, and is slow to send it
    await sleep(100);
    await new SagaOutbox(db.pool).giveUp(confirmId, 'olga');
    expect(await next.dispatchOnce()).toBe(1); // the claim lapsed, the first send has not ended: sent again, not given up
    slowSent();
    await firstSending;

    const outcome = (await db.pool.query(`SELECT outcome, error FROM saga_commands WHERE command_id = $1`, [confirmId])).rows[0];
    expect(outcome).toEqual({ outcome: 'applied', error: null });
    expect(await typesOf(orderStream(orderId))).toEqual(['order.placed', 'order.confirmed']);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.captured']);
  });

  it('records a give-up while a send of the command from two claims back is still under way: that send stores nothing, and the saga compensates once', async () => {
    const orderId = await confirmationWaiting();
    await running!.worker.stop();
    const confirmId = await commandIdOf(orderId, 'ConfirmOrder');
    const logged: string[] = [];
    const log = (line: string) => logged.push(line);
    // Claims of 0 s lapse at once: each sender finds the command claimable again.
    const sender = (repo: object) =>
      new SagaCommandDispatcher(db.pool, store, repo as AggregateRepository, catalog, [depositSaga], { claimSeconds: 0, log });
    const failing = { execute: () => Promise.reject(new Error('deadlock detected')) };

    // Sender 1 sends ConfirmOrder, and its append statement hangs on a lock (its claim lapses meanwhile).
    const release = await holdNextAppend(orderStream(orderId));
    const firstSending = sender(repository).dispatchOnce();
    try {
      expect(await eventually(() => waitingOnLock('%chronicle_append%'), Boolean)).toBe(true);
      // Sender 2 sends it again and fails; an operator gives it up; sender 3 records it GIVEN_UP, and the saga voids the payment.
      expect(await sender(failing).dispatchOnce()).toBe(1);
      await new SagaOutbox(db.pool).giveUp(confirmId, 'olga');
      expect(await sender(repository).dispatchOnce()).toBe(1);
    } finally {
      await release(); // sender 1's append goes on now
      await firstSending;
    }
    while ((await sender(repository).dispatchOnce()) > 0);

    const row = (await db.pool.query(`SELECT outcome, error, attempts FROM saga_commands WHERE command_id = $1`, [confirmId])).rows[0];
    expect(row).toMatchObject({ outcome: 'refused', error: expect.objectContaining({ code: 'GIVEN_UP' }), attempts: 1 });
    expect(await typesOf(orderStream(orderId))).toEqual(['order.placed']);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.captured', 'payment.voided']);
    const steps = await store.readStream(sagaStream(depositSaga.name, TENANT, orderId));
    expect(steps.map((step) => (step.data as { trigger: string }).trigger)).toEqual(['order.placed', 'payment.captured', 'command.refused']);
    // Sender 1's late send is not counted as a failure of the command (attempts: sender 2's alone).
    expect(logged.filter((line) => line.includes(confirmId))).toEqual([
      expect.stringMatching(/failed \(Error: deadlock detected\)/),
      expect.stringMatching(/ConfirmOrder .* had an outcome already; this send stored nothing$/),
    ]);
  });

  it('marks a command applied with its events: a give-up after they commit finds it sent, though its sender has not had its answer yet', async () => {
    const orderId = await confirmationWaiting();
    await running!.worker.stop();
    const confirmId = await commandIdOf(orderId, 'ConfirmOrder');
    const sender = (repo: object) =>
      new SagaCommandDispatcher(db.pool, store, repo as AggregateRepository, catalog, [depositSaga], { claimSeconds: 0 });
    // Sender 1's ConfirmOrder commits, and its answer is slow to come back (a stalled socket, a GC pause); its claim lapses.
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const slowAnswer = { execute: async (...args: Parameters<AggregateRepository['execute']>) => [await repository.execute(...args), await answered][0] };
    const failing = { execute: () => Promise.reject(new Error('deadlock detected')) };

    const firstSending = sender(slowAnswer).dispatchOnce();
    try {
      await eventually(() => typesOf(orderStream(orderId)), (types) => types.length > 1);
      // Nothing left to claim for another sender, nor to give up for an operator.
      expect(await sender(failing).dispatchOnce()).toBe(0);
      await expect(new SagaOutbox(db.pool).giveUp(confirmId, 'olga')).rejects.toBeInstanceOf(SagaCommandAlreadySent);
      expect(await sender(repository).dispatchOnce()).toBe(0);
    } finally {
      answer();
      await firstSending;
    }

    const row = (await db.pool.query(`SELECT outcome, error, attempts, give_up_by FROM saga_commands WHERE command_id = $1`, [confirmId])).rows[0];
    expect(row).toEqual({ outcome: 'applied', error: null, attempts: 0, give_up_by: null });
    expect(await typesOf(orderStream(orderId))).toEqual(['order.placed', 'order.confirmed']);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.captured']);
  });

  it('does not count a send that failed because the database was gone or stalled', async () => {
    const commandId = randomUUID();
    await db.pool.query(
      `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id)
       VALUES ($1, $2, $3, $4, 'payment', 'RequestPayment', '{}', 'c-stalled', 'e-stalled')`,
      [commandId, depositSaga.name, TENANT, randomUUID()],
    );
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const stalled = { execute: () => Promise.reject(cancelled) };
    const dispatcher = new SagaCommandDispatcher(db.pool, store, stalled as unknown as AggregateRepository, catalog, [depositSaga], { claimSeconds: 0 });
    await dispatcher.dispatchOnce();

    const row = (await db.pool.query(`SELECT attempts, last_error, sent_at FROM saga_commands WHERE command_id = $1`, [commandId])).rows[0];
    expect(row).toEqual({ attempts: 0, last_error: null, sent_at: null });
  });

  it('records a refused command with its code, and hands the refusal to the saga, which compensates', async () => {
    const orderId = await confirmationWaiting();
    const outbox = async () =>
      (await db.pool.query(`SELECT type, outcome, error, causation_id FROM saga_commands WHERE instance_key = $1 ORDER BY created_at`, [orderId]))
        .rows;
    // The order closes by hand before the confirmation reaches it, and before the saga sees that.
    await running!.worker.stop();
    await closeByHand(orderId);

    const dispatcher = running!.runtime.dispatcher;
    expect(await dispatcher.dispatchOnce()).toBe(1); // ConfirmOrder: refused, and the saga voids the payment
    expect(await dispatcher.dispatchOnce()).toBe(1); // VoidPayment
    const [requested, confirm, voidPayment] = await outbox();
    expect(requested).toMatchObject({ type: 'RequestPayment', outcome: 'applied' });
    expect(confirm).toMatchObject({ type: 'ConfirmOrder', outcome: 'refused', error: expect.objectContaining({ code: 'ORDER_CLOSED' }) });
    const confirmId = (await db.pool.query(`SELECT command_id FROM saga_commands WHERE type = 'ConfirmOrder' AND instance_key = $1`, [orderId]))
      .rows[0].command_id;
    expect(voidPayment).toMatchObject({ type: 'VoidPayment', outcome: 'applied', causation_id: confirmId });
    expect(await typesOf(orderStream(orderId))).toEqual(['order.placed', 'order.cancelled']);
    expect(await typesOf(paymentStream(orderId))).toEqual(['payment.requested', 'payment.captured', 'payment.voided']);
    const steps = await store.readStream(sagaStream(depositSaga.name, TENANT, orderId));
    expect(steps.map((step) => (step.data as { trigger: string }).trigger)).toEqual(['order.placed', 'payment.captured', 'command.refused']);
  });

  it('hands a refusal to the saga once when two senders sent the command (the first one’s claim lapsed)', async () => {
    // A saga that stays active after a refusal, and counts each one it is handed.
    const patient = defineSaga<{ refusals: number }, DomainEvent<'never.happens', object>>({
      name: `patient-${randomUUID().slice(0, 8)}`,
      startedBy: ['never.happens'],
      follows: [],
      correlate: () => null,
      initialState: { refusals: 0 },
      evolve: (state, message) => ({ refusals: state.refusals + (message.type === 'command.refused' ? 1 : 0) }),
      react: () => ({}),
      isDone: () => false,
    });
    const orderId = randomUUID();
    await place(orderId, null);
    await closeByHand(orderId);
    const started = { trigger: 'never.happens', triggerId: randomUUID(), state: { refusals: 0 }, done: false, commandIds: [] };
    await store.append(sagaStream(patient.name, TENANT, orderId), [{ type: 'saga.stepped', data: started, metadata: { actor } }]);
    await db.pool.query(
      `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, 'ConfirmOrder', $5, 'c-patient', 'e-patient')`,
      [patient.name, TENANT, orderId, orders.type, { orderId }],
    );
    // The first sender is slow: its claim (0 s here, 30 s by default) lapses before it is refused.
    let slowSent!: () => void;
    const slow = new Promise<void>((resolve) => (slowSent = resolve));
    const slowRepository = { execute: async (...args: Parameters<AggregateRepository['execute']>) => (await slow, repository.execute(...args)) };
    const first = new SagaCommandDispatcher(db.pool, store, slowRepository as unknown as AggregateRepository, catalog, [patient], { claimSeconds: 0 });
    const next = new SagaCommandDispatcher(db.pool, store, repository, catalog, [patient], { claimSeconds: 0 });

    const firstSending = first.dispatchOnce();
    await sleep(100);
    expect(await next.dispatchOnce()).toBe(1); // the same ConfirmOrder, refused ORDER_CLOSED: the saga is handed the refusal
    slowSent();
    expect(await firstSending).toBe(1); // refused too, and recorded already: the saga is not handed it again

    const steps = await store.readStream(sagaStream(patient.name, TENANT, orderId));
    expect(steps.map((step) => (step.data as { trigger: string }).trigger)).toEqual(['never.happens', 'command.refused']);
    expect((steps.at(-1)!.data as { state: unknown }).state).toEqual({ refusals: 1 });
  });

  it('steps each instance once per event, in log order, however the events are batched', async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const id of ids) await place(id);
    for (const id of ids.slice(0, 10)) await paymentSays(id, 'payment.captured');
    await start();

    for (const id of ids.slice(0, 10)) {
      expect(await eventually(() => typesOf(orderStream(id)), (types) => types.length > 1)).toEqual(['order.placed', 'order.confirmed']);
    }
    // Placed, captured, and the confirmation the saga itself caused; the unpaid ones wait, placed only.
    const expected = [...ids.slice(0, 10).map(() => 3), ...ids.slice(10).map(() => 1)];
    const stepCounts = async () => {
      const { rows } = await db.pool.query(`SELECT aggregate_id, count(*)::int AS n FROM events WHERE type = 'saga.stepped' GROUP BY 1`);
      const stepsOf = new Map(rows.map((r) => [r.aggregate_id as string, r.n as number]));
      return ids.map((id) => stepsOf.get(id));
    };
    expect(await eventually(stepCounts, (counts) => JSON.stringify(counts) === JSON.stringify(expected))).toEqual(expected);
  });
});
