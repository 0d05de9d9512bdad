// A projection worker in a process of its own, for the integration tests that kill workers.
//
// Plain ESM JavaScript on the compiled core (dist/, built by `npm test`'s pretest or
// `npx tsc -p tsconfig.build.json`): child processes cannot use ts-jest. The test
// projections are not copied here: test/support/projection-fixtures.ts is compiled on the
// fly into dist/test/support/ (its relative imports then land on dist/src/) and imported, so
// the in-process tests and these processes run the very same definitions.
//
// Environment:
//   DATABASE_URL     the database to work on (required)
//   WORKER_OPTIONS   JSON SubscriptionWorkerOptions (workerId, heartbeatMs, pollIntervalMs, batchSize)
//   FIXTURE_OPTIONS  JSON FixtureOptions without functions (suffix, partitions, maxAttempts, errorPolicy)
//   POOL_SIZE        connections of this worker's pool (default 12)
//   CRASH            JSON { "at": "before-commit" | "after-commit", "label": "<event label>", "projection": "map" | "fold" }:
//                    SIGKILL this process inside the apply transaction of the batch holding that event,
//                    after its read-model writes (before-commit), or right after that transaction commits
//                    (after-commit).
//
// Output (stdout, one line each): `ready <workerId>`, then `owned <JSON array of name#partition>`
// every 200 ms; `crash <at> <JSON>` just before a planned crash. Worker logs go to stderr.
// SIGTERM stops the worker cleanly.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Compiles projection-fixtures.ts next to the compiled core unless the compiled copy is current. */
const compiledFixtures = () => {
  const source = join(root, 'test/support/projection-fixtures.ts');
  const target = join(root, 'dist/test/support/projection-fixtures.js');
  const fresh = (() => {
    try {
      return statSync(target).mtimeMs >= statSync(source).mtimeMs;
    } catch {
      return false;
    }
  })();
  if (!fresh) {
    const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
      fileName: source,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        isolatedModules: true,
        esModuleInterop: true,
      },
    });
    mkdirSync(dirname(target), { recursive: true });
    // Several workers may start at once: write aside, then rename (atomic).
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, outputText);
    renameSync(temporary, target);
  }
  return pathToFileURL(target).href;
};

const json = (name, fallback) => (process.env[name] ? JSON.parse(process.env[name]) : fallback);

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is not set');
const workerOptions = json('WORKER_OPTIONS', {});
const fixtureOptions = json('FIXTURE_OPTIONS', {});
const crash = json('CRASH', null);

const fixtures = await import(compiledFixtures());
const { SubscriptionWorker } = await import(pathToFileURL(join(root, 'dist/src/event-sourcing/subscriptions/subscription-worker.js')).href);
const { projectionSubscription } = await import(pathToFileURL(join(root, 'dist/src/event-sourcing/projections/async-projection.js')).href);
const { PostgresSubscriptionLog } = await import(pathToFileURL(join(root, 'dist/src/event-sourcing/subscriptions/subscription-log.js')).href);

const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.POOL_SIZE ?? 12) });
pool.on('error', (error) => process.stderr.write(`log idle client error: ${error.message}\n`));
const reader = new PostgresSubscriptionLog(pool, fixtures.testRegistry());

const die = (at, details) => {
  process.stdout.write(`crash ${at} ${JSON.stringify(details)}\n`);
  process.kill(process.pid, 'SIGKILL');
};

/** Arms the planned crash on the projection it names. */
const withCrash = (projection, kind) => {
  if (!crash || (crash.projection ?? 'fold') !== kind) return projection;
  return fixtures.afterApply(projection, async (client, events) => {
    const target = events.find((event) => event.data.label === crash.label);
    if (!target) return;
    if (crash.at === 'before-commit') {
      // Evidence that the writes are done but not visible outside the transaction (both test
      // tables have a row per stream, or per event, with a `stream` column).
      const count = `SELECT count(*)::int AS n FROM ${projection.tables[0]} WHERE stream = $1`;
      const stream = `${target.tenantId}/${target.aggregateType}/${target.aggregateId}`;
      const inside = (await client.query(count, [stream])).rows[0].n;
      const outside = (await pool.query(count, [stream])).rows[0].n;
      die('before-commit', { eventId: target.eventId, rowsInside: inside, rowsOutside: outside });
      await new Promise(() => undefined); // never reached: the process is gone
    }
    // after-commit: let this transaction's COMMIT go through, then die before anything else happens.
    const query = client.query.bind(client);
    client.query = (...args) => {
      const result = query(...args);
      if (args[0] !== 'COMMIT') return result;
      return result.then(() => die('after-commit', { eventId: target.eventId }));
    };
  });
};

const projections = [
  withCrash(fixtures.eventLogProjection(fixtureOptions), 'map'),
  withCrash(fixtures.streamCountsProjection(fixtureOptions), 'fold'),
];

const worker = new SubscriptionWorker(pool, reader, projections.map(projectionSubscription), {
  ...workerOptions,
  log: (message) => process.stderr.write(`log ${message}\n`),
});
await worker.start();
process.stdout.write(`ready ${worker.workerId}\n`);

const report = () => process.stdout.write(`owned ${JSON.stringify(worker.ownedSlots())}\n`);
report();
const reporting = setInterval(report, 200);

process.once('SIGTERM', () => {
  clearInterval(reporting);
  worker
    .stop()
    .then(() => pool.end())
    .then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`log stop failed: ${error.stack ?? error}\n`);
        process.exit(1);
      },
    );
});
