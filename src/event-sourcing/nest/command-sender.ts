import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Aggregate } from '../aggregates/aggregate.js';
import type { HandleResult } from '../aggregates/aggregate-repository.js';
import type { Command, CommandBody, DomainEvent } from '../domain/decider.js';
import { commandMetadata, CORRELATION_HEADER, etagOf, expectedVersionFrom } from './command-metadata.js';
import { ExecuteAggregateCommand } from './execute-aggregate-command.js';
import type { HttpCommand } from './http-command.js';


/**
 * Sends a controller's command on its way: metadata from the request (time, caller, the
 * tenant the access guard checked, trace ids, the Idempotency-Key's command id), `If-Match`
 * as the expected version, and the new version as the reply's ETag; the correlation id goes
 * back as `x-correlation-id`.
 */
@Injectable()
export class CommandSender {
  constructor(@Inject(CommandBus) private readonly bus: CommandBus) {}

  async send<State, C extends Command, E extends DomainEvent>(
    aggregate: Aggregate<State, C, E>,
    { request, reply }: HttpCommand,
    command: CommandBody<C>,
    /** For a command that creates its tenant (no guard has checked one yet). */
    tenantId: string | undefined = request.tenantId,
  ): Promise<HandleResult<State>> {
    if (!request.actor || tenantId === undefined) throw new Error(`${command.type}: no authenticated caller or checked tenant on the request`);
    const actor = { type: request.actor.actorType, id: request.actor.userId };
    const metadata = commandMetadata(request, actor, tenantId);
    // Before the command runs, so a refusal also tells the caller which process it belonged to.
    void reply.header(CORRELATION_HEADER, metadata.correlationId);
    const full = { ...command, metadata } as C;
    const result: HandleResult<State> = await this.bus.execute(new ExecuteAggregateCommand(aggregate, full, expectedVersionFrom(request)));
    void reply.header('ETag', etagOf(result.version));
    return result;
  }
}
