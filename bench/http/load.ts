import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Work } from '../harness/sample.js';
import type { LoadPlan, LoadReport } from './load-plan.js';

/**
 * The load generator runs in a process of its own: in a thread of this one, its CPU (autocannon
 * writing requests and parsing answers) counted in the CPU per request the bench reports as the
 * app's. It still shares the machine's cores with the app and PostgreSQL.
 */
const runInProcess = (plan: LoadPlan): Promise<LoadReport> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./load-worker.js', import.meta.url)), [], { serialization: 'advanced' });
    let report: LoadReport | undefined;
    child.once('message', (message: LoadReport) => {
      report = message;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (report) resolve(report);
      else reject(new Error(`the load generator exited with ${code} and no report`));
    });
    child.send(plan);
  });

/** One autocannon phase; throws unless every request got a 2xx answer. */
export const runLoad = async (plan: LoadPlan): Promise<Work> => {
  const report = await runInProcess(plan);
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
