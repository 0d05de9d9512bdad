import type { CliCommand } from '../cli-command.js';
import { checkConsistency } from './check-consistency.command.js';
import { eventsTail } from './events-tail.command.js';
import { inboxList } from './inbox-list.command.js';
import { inboxRetry } from './inbox-retry.command.js';
import { projectionsList } from './projections-list.command.js';
import { projectionsPause } from './projections-pause.command.js';
import { projectionsRebuild } from './projections-rebuild.command.js';
import { projectionsReplay } from './projections-replay.command.js';
import { projectionsResume } from './projections-resume.command.js';
import { sagasList } from './sagas-list.command.js';
import { streamsShow } from './streams-show.command.js';
import { subscriptionsResume } from './subscriptions-resume.command.js';
import { deadLettersRetry } from './dead-letters-retry.command.js';
import { token } from './token.command.js';

/** Every command, in the order the usage lists them. */
export const COMMANDS: readonly CliCommand[] = [
  projectionsList,
  projectionsRebuild,
  projectionsReplay,
  projectionsPause,
  projectionsResume,
  subscriptionsResume,
  deadLettersRetry,
  sagasList,
  inboxList,
  inboxRetry,
  streamsShow,
  eventsTail,
  checkConsistency,
  token,
];
