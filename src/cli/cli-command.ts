import type { INestApplicationContext } from '@nestjs/common';
import type { ParseArgsConfig } from 'node:util';
import type { Environment } from '../config/environment.js';

/** A command's arguments as `parseArgs` left them, with the command name already taken off. */
export interface CliArgs {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

/** What a command says about itself and what it takes. */
interface CommandDescription {
  readonly name: string;
  /** The command as typed, e.g. `projections:replay <name> [--from N]`. */
  readonly usage: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  /** What `<command> --help` prints under the usage line. */
  readonly help: string;
  readonly options?: ParseArgsConfig['options'];
  /** How many positionals it needs (more is a usage error too). */
  readonly positionals: number;
  /** Checks values beyond their presence: a message when they are wrong, so no app is started for nothing. */
  readonly validate?: (args: CliArgs) => string | undefined;
}

/**
 * An operator command that works on the database: it runs against an application context (ROLE=web: no workers).
 * Its module imports only what describes and checks it; `run` imports the rest (`await import`), so that
 * a help, a usage error or a standalone command does not load the app (0.2 s where the app takes 2).
 */
export interface AppCommand extends CommandDescription {
  /** The process's exit code. */
  run(app: INestApplicationContext, args: CliArgs): Promise<number>;
}

/** A command that needs no database (so no app is started): it gets the validated environment alone. */
export interface StandaloneCommand extends CommandDescription {
  readonly standalone: true;
  /** The process's exit code. */
  run(env: Environment, args: CliArgs): Promise<number>;
}

/** One operator command: what it takes, what it says about itself, and what it does. */
export type CliCommand = AppCommand | StandaloneCommand;

/** Wrong arguments: the CLI prints the message (if any) and the usage, and exits 1. */
export class UsageError extends Error {}
