import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Aggregate } from '../aggregates/aggregate.js';
import type { HandleResult } from '../aggregates/aggregate-repository.js';
import type { Command, DomainEvent } from '../domain/decider.js';
import type { CommandBody } from '../domain/decider.js';
import type { CommandSender } from './command-sender.js';
import type { CommandCaller, HttpCommand } from './http-command.js';
import { newIdFor, type RequestIssuingIds } from './new-ids.js';

/** What a route may say about a command besides the command itself. */
export interface SendOptions {
  /** The tenant, for a command that creates it (no guard has checked one yet); else the guard's. */
  readonly tenantId?: string;
}

/**
 * A controller action's way to run commands: `@Commands() commands: Commands`, then
 * `commands.send(rooms, { type: 'RenameRoom', data })`. The core adds the metadata (time,
 * caller, the tenant the access guard checked, trace ids, the Idempotency-Key's command id),
 * takes `If-Match` as the expected version and sets the new version as the reply's `ETag`.
 */
export interface Commands extends HttpCommand {
  /**
   * An id for what the command creates, when the caller named none: random, except under an
   * Idempotency-Key, where each retry gets the same one (so it creates nothing twice).
   */
  newId(): string;
  send<State, C extends Command, E extends DomainEvent>(
    aggregate: Aggregate<State, C, E>,
    command: CommandBody<C>,
    options?: SendOptions,
  ): Promise<HandleResult<State>>;
}

const SENDER = Symbol('CommandSender');
type RequestWithSender = FastifyRequest & CommandCaller & RequestIssuingIds & { [SENDER]?: CommandSender };

/**
 * Hands every request the app's `CommandSender`, which `@Commands()` binds to it (a param
 * decorator has no injector): a getter on the app's requests, which costs a request nothing
 * (as an interceptor, it cost every request, commands or not, one more layer of Nest's
 * interceptor chain).
 */
export const handRequestsTheSender = (fastify: FastifyInstance, sender: CommandSender): void => {
  fastify.decorateRequest(SENDER, { getter: () => sender });
};

export const Commands = createParamDecorator((_data: unknown, context: ExecutionContext): Commands => {
  const request = context.switchToHttp().getRequest<RequestWithSender>();
  const reply = context.switchToHttp().getResponse<FastifyReply>();
  const sender = request[SENDER];
  if (!sender) throw new Error('@Commands() needs EventSourcingModule.forRoot in the app');
  return {
    request,
    reply,
    newId: () => newIdFor(request),
    send: (aggregate, command, options) => sender.send(aggregate, { request, reply }, command, options?.tenantId),
  };
});
