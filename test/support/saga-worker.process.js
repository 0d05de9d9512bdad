// A saga worker in a process of its own (the order-deposit fixture saga), for the test that
// kills one mid-step. Plain ESM JavaScript on the compiled core (dist/, built by `npm test`'s
// pretest): child processes cannot use ts-jest.
//
// Environment:
//   DATABASE_URL         the database to work on (required)
//   CRASH_AFTER_SENDING  a command type: SIGKILL this process right after the outbox sender ran
//                        that command (its events and its mark committed), before it has the answer
//   CLAIM_SECONDS        how long a claimed command is this sender's (default 30)
//
// Output (stdout, one line each): `ready`, then `crash <commandType>` just before a planned crash.
// SIGTERM stops the worker cleanly.
import { join } from 'node:path';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('../../', import.meta.url));
const core = (path) => import(pathToFileURL(join(root, 'dist/src/event-sourcing', path)).href);

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is not set');
const crashAfter = process.env.CRASH_AFTER_SENDING;

const { depositSaga, orders, payments } = await core('sagas/order-deposit.fixtures.js');
const { sagaSteppedType } = await core('sagas/saga-stream.js');
const { SagaRuntime } = await core('sagas/saga-runtime.js');
const { EventRegistry } = await core('store/event-registry.js');
const { PostgresEventStore } = await core('store/postgres-event-store.js');
const { AggregateCatalog } = await core('aggregates/aggregate-catalog.js');
const { AggregateRepository } = await core('aggregates/aggregate-repository.js');
const { InlineProjections } = await core('aggregates/inline-projections.js');
const { SnapshotStore } = await core('aggregates/snapshot-store.js');
const { PostgresSubscriptionLog } = await core('subscriptions/subscription-log.js');
const { SubscriptionWorker } = await core('subscriptions/subscription-worker.js');

const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
pool.on('error', (error) => process.stderr.write(`log idle client error: ${error.message}\n`));
const registry = new EventRegistry().register(...orders.eventDefinitions, ...payments.eventDefinitions, sagaSteppedType);
const store = new PostgresEventStore(pool, registry);
const catalog = new AggregateCatalog();
catalog.register(orders);
catalog.register(payments);
const repository = AggregateRepository.onPostgres(pool, store, new SnapshotStore(pool, registry), {
  inlineProjections: new InlineProjections(),
});

// The crash: the command is applied (its events committed, and with them its mark), and the sender dies before it hears so.
const execute = repository.execute.bind(repository);
repository.execute = async (aggregate, command, options) => {
  const result = await execute(aggregate, command, options);
  if (command.type === crashAfter) {
    process.stdout.write(`crash ${command.type}\n`);
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => undefined); // never reached: the process is gone
  }
  return result;
};

const runtime = new SagaRuntime(store, pool, repository, catalog, [depositSaga], {
  commandPollMs: 50,
  deadlinePollMs: 50,
  commandClaimSeconds: Number(process.env.CLAIM_SECONDS ?? 30),
  log: (message) => process.stderr.write(`log ${message}\n`),
});
const worker = new SubscriptionWorker(pool, new PostgresSubscriptionLog(pool, registry), runtime.subscriptions(), {
  pollIntervalMs: 50,
  heartbeatMs: 200,
  log: (message) => process.stderr.write(`log ${message}\n`),
});
await worker.start();
runtime.start();
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  Promise.resolve()
    .then(() => runtime.stop())
    .then(() => worker.stop())
    .then(() => pool.end())
    .then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`log stop failed: ${error.stack ?? error}\n`);
        process.exit(1);
      },
    );
});
