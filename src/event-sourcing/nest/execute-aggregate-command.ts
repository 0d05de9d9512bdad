import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type CommandPrecondition, type HandleResult } from '../aggregates/aggregate-repository.js';
import type { Command, Decider, DomainEvent } from '../domain/decider.js';
import type { StreamId } from '../store/event-envelope.js';

/**
 * A command for one aggregate, on the CommandBus. Contexts whose commands need no outside
 * facts send this; one that must resolve facts first writes its own handler and calls
 * `AggregateRepository.handle` the same way.
 */
export class ExecuteAggregateCommand<State = unknown, C extends Command = Command, E extends DomainEvent = DomainEvent> {
  constructor(
    readonly decider: Decider<State, C, E>,
    readonly stream: StreamId,
    readonly command: C,
    /** From If-Match: a stream that moved on (or, for `*`, does not exist) fails with 409. */
    readonly expectedVersion?: CommandPrecondition,
  ) {}
}

@CommandHandler(ExecuteAggregateCommand)
export class ExecuteAggregateCommandHandler implements ICommandHandler<ExecuteAggregateCommand, HandleResult<unknown>> {
  constructor(@Inject(AggregateRepository) private readonly aggregates: AggregateRepository) {}

  execute({ decider, stream, command, expectedVersion }: ExecuteAggregateCommand): Promise<HandleResult<unknown>> {
    return this.aggregates.handle(decider, stream, command, { expectedVersion });
  }
}
