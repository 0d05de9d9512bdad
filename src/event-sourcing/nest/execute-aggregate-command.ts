import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Aggregate } from '../aggregates/aggregate.js';
import { AggregateRepository, type CommandPrecondition, type HandleResult } from '../aggregates/aggregate-repository.js';
import type { Command, DomainEvent } from '../domain/decider.js';

/**
 * A command for one aggregate, on the CommandBus (controllers send it through
 * `CommandSender`). A context whose commands need outside facts first writes its own handler
 * and calls `AggregateRepository.execute` the same way.
 */
export class ExecuteAggregateCommand<State = unknown, C extends Command = Command, E extends DomainEvent = DomainEvent> {
  constructor(
    readonly aggregate: Aggregate<State, C, E>,
    readonly command: C,
    /** From If-Match: a stream that moved on (or, for `*`, does not exist) fails with 409. */
    readonly expectedVersion?: CommandPrecondition,
  ) {}
}

@CommandHandler(ExecuteAggregateCommand)
export class ExecuteAggregateCommandHandler implements ICommandHandler<ExecuteAggregateCommand, HandleResult<unknown>> {
  constructor(@Inject(AggregateRepository) private readonly aggregates: AggregateRepository) {}

  execute({ aggregate, command, expectedVersion }: ExecuteAggregateCommand): Promise<HandleResult<unknown>> {
    return this.aggregates.execute(aggregate, command, { expectedVersion });
  }
}
