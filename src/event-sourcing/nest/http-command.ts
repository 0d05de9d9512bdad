import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActorType } from '../domain/actor.js';

/** What the app's guards establish on a request before a command runs. */
export interface CommandCaller {
  /** Set by the authentication guard. */
  actor?: { readonly userId: string; readonly actorType: ActorType };
  /** Set by the guard that checked the caller's access to a tenant (its id from the route or body). */
  tenantId?: string;
  /** Set by the idempotency guard for a keyed request: the command id its events derive their ids from. */
  commandId?: string;
}

/** The HTTP side of a command: the request it came in and the reply its answer goes out on. */
export interface HttpCommand {
  readonly request: FastifyRequest & CommandCaller;
  readonly reply: FastifyReply;
}
