import { CommandBus } from '@nestjs/cqrs';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { reservations } from '../../src/contexts/reservations/reservation.aggregate.js';
import { ExecuteAggregateCommand } from '../../src/event-sourcing/nest/execute-aggregate-command.js';
import type { ReservationCommand } from '../../src/contexts/reservations/domain/reservation.commands.js';
import { CreateReservationRequest } from '../../src/contexts/reservations/presentation/reservations.requests.js';
import { requestValidationPipe } from '../../src/event-sourcing/nest/request-validation.pipe.js';
import type { BenchApp } from './app.js';
import { profileCpu, type CpuShare } from './cpu-profile.js';
import { classifyStatement, NOT_AWAITED, stepOrder } from './command-steps.js';
import type { LoadPlan } from './load-plan.js';
import { runLoad } from './load.js';
import { ROUTES } from './routes.js';
import { SequentialClient } from './sequential-client.js';
import { StatementTimer, type StepTime } from './statement-timer.js';

/** One step of a create, in ms per create (or per request, under load). */
export interface ProfileStep {
  readonly step: string;
  readonly ms: number;
}

/** A timed step with how many were sent per unit: under load, statements are shared by requests. */
export interface CountedStep extends ProfileStep {
  readonly count: number;
}

export interface CommandProfile {
  readonly commands: number;
  /** Mean ms of one request, one at a time. */
  readonly createMs: number;
  readonly validateMs: number;
  readonly commandBusMs: number;
  readonly jwtVerifyMs: number;
  readonly dtoValidationMs: number;
  /** A sequential create by layer, as the request meets them; sums to `createMs`. */
  readonly layers: readonly ProfileStep[];
  /** The same create statement by statement (NOTIFY is sent after the reply: not in the sum). */
  readonly statements: readonly CountedStep[];
  readonly slowestLayer: ProfileStep;
  readonly slowestStatement: ProfileStep;
  /** The same statements with every connection busy: ms per request (create or confirm). */
  readonly loadedSteps: readonly CountedStep[];
  readonly loadedRequests: number;
  /** Share of the app thread's time spent running (not idle in the event loop) under load. */
  readonly loadedAppThreadUtilization: number;
  /** App-thread CPU per request by source under load (sampled): create/confirm, and the validate route. */
  readonly cpuPerRequest: { readonly command: readonly CpuShare[]; readonly trivial: readonly CpuShare[] };
}

const IDLE = '(idle)';

/** Runs a load phase under the CPU sampler; ms of app-thread CPU per request, by source. */
const cpuPerRequest = async (plan: LoadPlan): Promise<{ responses: number; shares: CpuShare[] }> => {
  const { result, shares } = await profileCpu(plan.route, () => runLoad(plan));
  return {
    responses: result.events,
    shares: shares.filter((s) => s.source !== IDLE).map((s) => ({ source: s.source, ms: s.ms / result.events })),
  };
};

const WARMUP = 20;

const meanMs = async (times: number, operation: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  for (let i = 0; i < times; i++) await operation();
  return (performance.now() - start) / times;
};

const perUnit = (steps: readonly StepTime[], units: number): CountedStep[] =>
  [...steps].sort((a, b) => stepOrder(a.step) - stepOrder(b.step)).map((s) => ({ step: s.step, ms: s.totalMs / units, count: s.count / units }));

const sumOf = (steps: readonly ProfileStep[], prefix: string): number =>
  steps.filter((s) => s.step.startsWith(prefix)).reduce((sum, s) => sum + s.ms, 0);

const largest = (steps: readonly ProfileStep[]): ProfileStep => steps.reduce((a, b) => (b.ms > a.ms ? b : a));

/** A CreateReservation as the controller builds it, sent straight to the CommandBus. */
const createCommand = (practiceId: string, body: string): ReservationCommand => {
  const { guestId, guestName, checkInDate, nights } = JSON.parse(body) as Record<string, never>;
  return {
    type: 'CreateReservation',
    data: { reservationId: randomUUID(), guestId, guestName, checkInDate, nights },
    metadata: { now: new Date().toISOString(), actor: { type: 'human', id: 'bench-user' }, tenantId: practiceId, requestId: randomUUID() },
  };
};

/** The layers of a create: the validate route's cost, then the statements by step, then the rest. */
const layersOf = (createMs: number, validateMs: number, statements: readonly ProfileStep[]): ProfileStep[] => {
  const awaited = statements.filter((s) => !NOT_AWAITED.has(s.step));
  const layers: ProfileStep[] = [
    { step: 'HTTP + JWT auth + DTO validation (= the validate route, no database)', ms: validateMs },
    { step: 'guard: membership SELECT', ms: sumOf(awaited, 'guard:') },
    { step: 'repository load: snapshot + stream SELECT', ms: sumOf(awaited, 'load:') },
    { step: 'commit: the append statement (events, read model, snapshot)', ms: sumOf(awaited, 'txn:') },
    { step: 'pool checkouts', ms: sumOf(awaited, 'pool checkout') },
    { step: 'other statements', ms: sumOf(awaited, 'other:') },
  ];
  const accounted = layers.reduce((sum, s) => sum + s.ms, 0);
  return [...layers, { step: 'other node work (guard, CommandBus, decide, event validation, mapping, reply)', ms: createMs - accounted }];
};

/**
 * Where one create's time goes. Sequential creates over HTTP with every statement and pool
 * checkout timed; the validate route (HTTP, JWT, DTO validation, no database) and the same
 * command sent to the CommandBus directly (no HTTP, auth or guard) bracket the layers; what
 * is left is node work between statements. Then the same statements timed under full load,
 * where waiting (for the pool, for the event loop) shows; and, as the app thread is what
 * saturates, its CPU per request sampled by source for both routes.
 */
export const profileCommand = async (bench: BenchApp, commands: number, loadPlan: LoadPlan): Promise<CommandProfile> => {
  const { practiceId, baseUrl, token } = bench;
  const body = loadPlan.body;
  const client = new SequentialClient(baseUrl, token);
  const bus = bench.app.get(CommandBus);
  const jwt = bench.app.get(JwtService);
  const pipe = requestValidationPipe();
  const timer = new StatementTimer(classifyStatement);
  try {
    const create = () => client.post(ROUTES.create(practiceId), body, 201);
    const validate = () => client.post(ROUTES.validate, body, 200);
    const direct = () => bus.execute(new ExecuteAggregateCommand(reservations, createCommand(practiceId, body)));
    const verify = () => jwt.verifyAsync(token, { algorithms: ['HS256'] });
    const validateDto = () => pipe.transform(JSON.parse(body), { type: 'body', metatype: CreateReservationRequest });
    for (let i = 0; i < WARMUP; i++) {
      for (const operation of [create, validate, direct, verify, validateDto]) await operation();
    }
    const jwtVerifyMs = await meanMs(commands, verify);
    const dtoValidationMs = await meanMs(commands, validateDto);
    const validateMs = await meanMs(commands, validate);
    const commandBusMs = await meanMs(commands, direct);
    timer.start();
    const createMs = await meanMs(commands, create);
    const statements = perUnit(timer.take(), commands);
    const layers = layersOf(createMs, validateMs, statements);
    timer.start();
    const utilization = performance.eventLoopUtilization();
    const loaded = await runLoad(loadPlan);
    const loadedAppThreadUtilization = performance.eventLoopUtilization(utilization).utilization;
    await bench.quiesce();
    const loadedSteps = perUnit(timer.take(), loaded.events);
    const commandCpu = await cpuPerRequest(loadPlan);
    await bench.quiesce();
    const trivialCpu = await cpuPerRequest({ ...loadPlan, route: 'trivial' });
    return {
      commands,
      createMs,
      validateMs,
      commandBusMs,
      jwtVerifyMs,
      dtoValidationMs,
      layers,
      statements,
      slowestLayer: largest(layers),
      slowestStatement: largest(statements.filter((s) => !NOT_AWAITED.has(s.step) && s.step !== 'pool checkout')),
      loadedSteps,
      loadedRequests: loaded.events,
      loadedAppThreadUtilization,
      cpuPerRequest: { command: commandCpu.shares, trivial: trivialCpu.shares },
    };
  } finally {
    timer.take();
    client.close();
  }
};
