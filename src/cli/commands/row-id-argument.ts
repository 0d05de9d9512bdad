import { exactWholeNumber } from '../../event-sourcing/domain/index.js';
import type { CliArgs } from '../cli-command.js';

/** The check of a command whose one positional names a row by its id (`what`: "a dead letter"), as the HTTP routes' RowIdPipe. */
export const rowIdArgument =
  (what: string) =>
  ({ positionals: [id] }: CliArgs): string | undefined =>
    exactWholeNumber(id, 1) !== null ? undefined : `<id> is ${what}'s number, from 1 to ${Number.MAX_SAFE_INTEGER}, not ${id}`;
