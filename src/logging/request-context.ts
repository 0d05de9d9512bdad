import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import { correlationIdOf, type CommandCaller } from '../event-sourcing/index.js';

type LoggedRequest = FastifyRequest & CommandCaller;

/** The request being handled, for log lines written deep inside it by code that has no request in hand. */
const current = new AsyncLocalStorage<LoggedRequest>();

/** Runs the rest of a Fastify hook chain (`done`) with `request` as the current request. */
export const withinRequest = (request: FastifyRequest, done: () => void): void => current.run(request, done);

export interface RequestFields {
  readonly requestId: string;
  readonly correlationId?: string;
  /** The practice the access guard admitted the caller to, once it has. */
  readonly tenant?: string;
  /** The authenticated caller's user id, once the authentication guard has run. */
  readonly actor?: string;
  readonly actorType?: string;
}

/** What every log line about a request says, read when the line is written (guards add tenant and actor). */
export const requestFields = (request: LoggedRequest): RequestFields => ({
  requestId: request.id,
  correlationId: correlationIdOf(request),
  ...(request.tenantId !== undefined && { tenant: request.tenantId }),
  ...(request.actor && { actor: request.actor.userId, actorType: request.actor.actorType }),
});

/** pino's mixin: the current request's fields, or none outside a request (workers, start-up). */
export const currentRequestFields = (): Partial<RequestFields> => {
  const request = current.getStore();
  return request ? requestFields(request) : {};
};
