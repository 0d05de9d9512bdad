import { Worker } from 'node:worker_threads';
import type { Work } from '../harness/sample.js';
import type { LoadPlan, LoadReport } from './load-plan.js';

const runInThread = (plan: LoadPlan): Promise<LoadReport> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: plan });
    let report: LoadReport | undefined;
    worker.once('message', (message: LoadReport) => {
      report = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (report) resolve(report);
      else reject(new Error(`the load generator exited with ${code} and no report`));
    });
  });

/** One autocannon phase; throws unless every request got a 2xx answer. */
export const runLoad = async (plan: LoadPlan): Promise<Work> => {
  const report = await runInThread(plan);
  if (report.non2xx > 0 || report.errors > 0 || report.timeouts > 0) {
    throw new Error(
      `${plan.route} load: ${report.non2xx} non-2xx, ${report.errors} errors, ${report.timeouts} timeouts` +
        ` in ${report.responses} responses; first failure: ${report.firstFailure ?? 'none recorded'}`,
    );
  }
  if (report.responses === 0) throw new Error(`${plan.route} load: no response in ${plan.durationMs} ms`);
  return {
    events: report.responses,
    ops: report.responses,
    elapsedMs: report.elapsedMs,
    latenciesMs: report.latenciesMs,
  };
};
