import type { CommandPrecondition } from '../../../event-sourcing/aggregates/aggregate-repository.js';
import { ExecuteAggregateCommand } from '../../../event-sourcing/nest/execute-aggregate-command.js';
import type { PracticeCommand } from '../domain/practice.commands.js';
import { practiceDecider } from '../domain/practice.decide.js';
import type { PracticeEvent } from '../domain/practice.events.js';
import type { Practice } from '../domain/practice.state.js';
import { practiceStream } from './practice-streams.js';

/** A practice command on its way to the CommandBus; `expectedVersion` comes from If-Match. */
export const executePracticeCommand = (command: PracticeCommand, expectedVersion?: CommandPrecondition) =>
  new ExecuteAggregateCommand<Practice, PracticeCommand, PracticeEvent>(
    practiceDecider,
    practiceStream(command.metadata.tenantId),
    command,
    expectedVersion,
  );
