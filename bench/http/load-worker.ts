import autocannon from 'autocannon';
import type { LoadPlan, LoadReport } from './load-plan.js';
import { jsonHeaders, ROUTES } from './routes.js';

/**
 * The load generator, in a process of its own (`load.ts`): parsing responses does not queue
 * behind the app on one event loop, and its CPU is not counted as the app's. It gets its plan
 * as the first message and answers with its report.
 */
let plan: LoadPlan;
let firstFailure: string | undefined;

const noteFailure = (status: number, body: string): void => {
  if (status >= 300 && firstFailure === undefined) firstFailure = `${status} ${body.slice(0, 300)}`;
};

const commandRequests = (): autocannon.Request[] => [
  {
    method: 'POST',
    path: ROUTES.create(plan.practiceId),
    body: plan.body,
    onResponse: (status, body, context) => {
      noteFailure(status, body);
      (context as { reservationId?: string }).reservationId =
        status === 201 ? (JSON.parse(body) as { reservationId: string }).reservationId : undefined;
    },
  },
  {
    method: 'POST',
    body: '{}',
    // Without an id (a failed create) autocannon starts the pair over; the failure is counted.
    setupRequest: (request, context) => {
      const id = (context as { reservationId?: string }).reservationId;
      return (id ? { ...request, path: ROUTES.confirm(plan.practiceId, id) } : undefined) as autocannon.Request;
    },
    onResponse: (status, body) => noteFailure(status, body),
  },
];

const trivialRequests = (): autocannon.Request[] => [
  { method: 'POST', path: ROUTES.validate, body: plan.body, onResponse: (status, body) => noteFailure(status, body) },
];

const run = async (): Promise<LoadReport> => {
  const latenciesMs: number[] = [];
  const start = performance.now();
  const instance = autocannon({
    url: plan.baseUrl,
    connections: plan.connections,
    duration: plan.durationMs / 1000,
    ...(plan.rate !== undefined && { overallRate: plan.rate }),
    headers: jsonHeaders(plan.token),
    requests: plan.route === 'command' ? commandRequests() : trivialRequests(),
  });
  // The tracker passes the client first; @types/autocannon leaves it out.
  (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    latenciesMs.push(ms);
  });
  const result = await instance;
  return {
    responses: latenciesMs.length,
    elapsedMs: performance.now() - start,
    latenciesMs,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    firstFailure,
  };
};

process.once('message', (message: LoadPlan) => {
  plan = message;
  run().then(
    (report) => process.send!(report, () => process.disconnect()),
    (error: unknown) => {
      throw error;
    },
  );
});
