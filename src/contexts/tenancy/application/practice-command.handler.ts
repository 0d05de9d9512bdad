import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type HandleResult } from '../../../event-sourcing/aggregates/aggregate-repository.js';
import { practiceDecider } from '../domain/practice.decide.js';
import type { PracticeCommand } from '../domain/practice.commands.js';
import type { Practice } from '../domain/practice.state.js';
import { practiceStream } from './practice-streams.js';

/** Any practice command on the bus; `expectedVersion` comes from If-Match. */
export class ExecutePracticeCommand {
  constructor(
    readonly command: PracticeCommand,
    readonly expectedVersion?: number,
  ) {}
}

@CommandHandler(ExecutePracticeCommand)
export class PracticeCommandHandler implements ICommandHandler<ExecutePracticeCommand, HandleResult<Practice>> {
  constructor(@Inject(AggregateRepository) private readonly aggregates: AggregateRepository) {}

  execute({ command, expectedVersion }: ExecutePracticeCommand): Promise<HandleResult<Practice>> {
    return this.aggregates.handle(practiceDecider, practiceStream(command.metadata.tenantId), command, { expectedVersion });
  }
}
