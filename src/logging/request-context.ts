import type { FastifyRequest } from 'fastify';
import { correlationIdOf, type CommandCaller } from '../event-sourcing/index.js';

type LoggedRequest = FastifyRequest & CommandCaller;

export interface RequestFields {
  readonly requestId: string;
  readonly correlationId?: string;
  /** The practice the access guard admitted the caller to, once it has. */
  readonly tenant?: string;
  /** The authenticated caller's user id, once the authentication guard has run. */
  readonly actor?: string;
  readonly actorType?: string;
}

/**
 * What a log line about a request says, read when the line is written (guards add tenant and
 * actor). Handed to the lines that have the request in hand (its own line and its error's),
 * not found by an AsyncLocalStorage: on Node 20 one makes every promise of the process pay
 * for it (async hooks), measured at about a fifth of a command's CPU.
 */
export const requestFields = (request: FastifyRequest): RequestFields => {
  const caller = request as LoggedRequest;
  return {
    requestId: request.id,
    correlationId: correlationIdOf(caller),
    ...(caller.tenantId !== undefined && { tenant: caller.tenantId }),
    ...(caller.actor && { actor: caller.actor.userId, actorType: caller.actor.actorType }),
  };
};
