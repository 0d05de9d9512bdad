import { performance } from 'node:perf_hooks';
import { interleave, settle } from '../harness/interleave.js';
import { summarize } from '../harness/sample.js';
import { startApp } from '../http/app.js';
import type { LoadPlan } from '../http/load-plan.js';
import { runLoad } from '../http/load.js';
import type { CpuShare } from '../http/cpu-profile.js';
import { profileCommand, type CommandProfile, type CountedStep, type ProfileStep } from '../http/profile.js';
import { reservationBody } from '../http/routes.js';
import type { Workload } from './workload.js';

interface Route {
  readonly name: 'store' | 'raw';
  readonly route: LoadPlan['route'];
}

/** store: create then confirm (each one request); raw: the validate route, same body, no database. */
const ROUTES: readonly [Route, Route] = [
  { name: 'store', route: 'command' },
  { name: 'raw', route: 'trivial' },
];

const ms = (value: number): string => value.toFixed(value < 1 ? 3 : 2);
const key = (step: string): string =>
  step
    .replace(/\(.*\)/g, '')
    .replace(/[^a-z0-9]+/gi, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();

const sourceKey = (source: string): string =>
  source
    .replace(/[^a-z0-9]+/gi, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();

/** Each step's ms per unit and its share of `total`. */
const stepLines = (steps: readonly ProfileStep[], total: number): string[] =>
  steps.map((s) => `    ${s.step.padEnd(76)} ${ms(s.ms).padStart(7)} ms  ${((s.ms / total) * 100).toFixed(0).padStart(3)}%`);

/** Under load: each step's ms per request, and how many were sent per request. */
const loadedLines = (steps: readonly CountedStep[]): string[] =>
  steps.map((s) => `    ${s.step.padEnd(76)} ${ms(s.ms).padStart(7)} ms  ×${s.count.toFixed(2)}`);

const CPU_SOURCES_SHOWN = 12;

/** App-thread CPU per request by source, create/confirm beside validate, largest first. */
const cpuLines = ({ cpuPerRequest: { command, trivial } }: CommandProfile): string[] => {
  const total = (shares: readonly CpuShare[]) => shares.reduce((sum, s) => sum + s.ms, 0);
  const trivialOf = (source: string) => trivial.find((s) => s.source === source)?.ms ?? 0;
  const shown = command.slice(0, CPU_SOURCES_SHOWN);
  const rest = command.slice(CPU_SOURCES_SHOWN);
  return [
    `  app-thread CPU per request under load (sampled), create/confirm vs validate: ` +
      `${ms(total(command))} ms vs ${ms(total(trivial))} ms; by source:`,
    ...shown.map((s) => `    ${s.source.padEnd(56)} ${ms(s.ms).padStart(7)} ms  vs ${ms(trivialOf(s.source)).padStart(7)} ms`),
    `    ${`${rest.length} other sources`.padEnd(56)} ${ms(total(rest)).padStart(7)} ms`,
  ];
};

const profileNotes = (profile: CommandProfile): string[] => [
  `http_create_confirm profile: ${profile.commands} sequential creates over HTTP, ${ms(profile.createMs)} ms each; ` +
    `validate route ${ms(profile.validateMs)} ms (of which JWT verify ${ms(profile.jwtVerifyMs)} ms, ` +
    `DTO validation ${ms(profile.dtoValidationMs)} ms); the same create sent to the CommandBus ${ms(profile.commandBusMs)} ms ` +
    `(so HTTP + auth + guard + validation = ${ms(profile.createMs - profile.commandBusMs)} ms). By layer:`,
  ...stepLines(profile.layers, profile.createMs),
  `  by statement (client-side: round trip + server work):`,
  ...stepLines(profile.statements, profile.createMs),
  `  slowest step of a create: ${profile.slowestLayer.step}, ${ms(profile.slowestLayer.ms)} ms of ${ms(profile.createMs)} ms; ` +
    `slowest statement: ${profile.slowestStatement.step}, ${ms(profile.slowestStatement.ms)} ms`,
  `  under load (${profile.loadedRequests} requests, ${(profile.loadedAppThreadUtilization * 100).toFixed(0)}% app-thread ` +
    `utilization), ms per request (create or confirm), waiting included, and statements sent per request:`,
  ...loadedLines(profile.loadedSteps),
  ...cpuLines(profile),
];

const round3 = (value: number): number => Number(value.toFixed(3));

const profileExtra = (profile: CommandProfile): Record<string, number | string> => ({
  profile_commands: profile.commands,
  profile_create_ms: round3(profile.createMs),
  profile_validate_route_ms: round3(profile.validateMs),
  profile_jwt_verify_ms: round3(profile.jwtVerifyMs),
  profile_dto_validation_ms: round3(profile.dtoValidationMs),
  profile_command_bus_ms: round3(profile.commandBusMs),
  ...Object.fromEntries(profile.layers.map((s) => [`profile_layer_ms_${key(s.step)}`, round3(s.ms)])),
  ...Object.fromEntries(profile.statements.map((s) => [`profile_ms_${key(s.step)}`, round3(s.ms)])),
  ...Object.fromEntries(profile.loadedSteps.map((s) => [`profile_loaded_ms_${key(s.step)}`, round3(s.ms)])),
  ...Object.fromEntries(profile.loadedSteps.map((s) => [`profile_loaded_per_request_${key(s.step)}`, round3(s.count)])),
  profile_loaded_app_thread_utilization: round3(profile.loadedAppThreadUtilization),
  ...Object.fromEntries(profile.cpuPerRequest.command.slice(0, CPU_SOURCES_SHOWN).map((s) => [`cpu_ms_per_request_${sourceKey(s.source)}`, round3(s.ms)])),
  ...Object.fromEntries(profile.cpuPerRequest.trivial.slice(0, CPU_SOURCES_SHOWN).map((s) => [`raw_cpu_ms_per_request_${sourceKey(s.source)}`, round3(s.ms)])),
  slowest_step: profile.slowestLayer.step,
  slowest_step_ms: round3(profile.slowestLayer.ms),
  slowest_statement: profile.slowestStatement.step,
  slowest_statement_ms: round3(profile.slowestStatement.ms),
});

export const httpCreateConfirm: Workload = {
  name: 'http_create_confirm',
  async run({ config, cpu, databases }) {
    const database = await databases.open('http');
    const bench = await startApp(database.url);
    try {
      const body = reservationBody();
      const { baseUrl, token, practiceId } = bench;
      const plan = (route: Route, durationMs: number): LoadPlan => ({
        baseUrl,
        token,
        practiceId,
        body,
        route: route.route,
        connections: config.httpConnections,
        durationMs,
      });
      const phase = async (route: Route, durationMs: number) => {
        const work = await runLoad(plan(route, durationMs));
        await bench.quiesce();
        return work;
      };
      for (const route of ROUTES) {
        settle();
        await phase(route, config.httpWarmupMs);
      }
      const busy: Record<Route['name'], { activeMs: number; elapsedMs: number }> = {
        store: { activeMs: 0, elapsedMs: 0 },
        raw: { activeMs: 0, elapsedMs: 0 },
      };
      const samples = await interleave(ROUTES, 2, cpu, async (route) => {
        const before = performance.eventLoopUtilization();
        const work = await phase(route, config.httpMs / 2);
        const used = performance.eventLoopUtilization(before);
        busy[route.name].activeMs += used.active;
        busy[route.name].elapsedMs += used.idle + used.active;
        return work;
      });
      const utilization = (name: Route['name']): number => busy[name].activeMs / busy[name].elapsedMs;
      settle();
      const profile = await profileCommand(bench, config.profileCommands, plan(ROUTES[0], config.profileLoadMs));
      const store = summarize(samples.store);
      const raw = summarize(samples.raw);
      return {
        name: this.name,
        unit: 'request',
        store,
        raw,
        extra: {
          connections: config.httpConnections,
          app_thread_utilization: round3(utilization('store')),
          raw_app_thread_utilization: round3(utilization('raw')),
          ...profileExtra(profile),
        },
        notes: [
          `http_create_confirm: ${config.httpConnections} connections, ${(config.httpMs / 1000).toFixed(1)} s per route ` +
            `(two interleaved phases); store = POST …/reservations then …/confirm (each a request), ` +
            `raw = POST /v1/reservations/validate (authenticated, same DTO, no database); ` +
            `the load generator (autocannon) runs in a process of its own, so node CPU is the app's; ` +
            `app thread busy ${(utilization('store') * 100).toFixed(0)}% (create+confirm), ` +
            `${(utilization('raw') * 100).toFixed(0)}% (validate) of the measured time`,
          ...profileNotes(profile),
        ],
      };
    } finally {
      await bench.close();
      await databases.drop('http');
    }
  },
};
