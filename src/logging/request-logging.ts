import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pino from 'pino';
import { correlationIdOf } from '../event-sourcing/index.js';
import { requestFields } from './request-context.js';

/** Probed every few seconds by orchestrators and scrapers: their lines would drown the rest. */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

export const REQUEST_ID_HEADER = 'x-request-id';

const levelOf = (route: string | undefined, status: number): pino.Level =>
  route !== undefined && QUIET_ROUTES.has(route) ? 'debug' : status >= 500 ? 'error' : 'info';

/**
 * One line per request, when its answer has gone: method, templated route, status, duration
 * and the request's fields (Fastify's own request logging stays off, so never two). Its
 * correlation id is fixed here, first, so the line and the request's command name the same.
 */
export const logRequests = (fastify: FastifyInstance, logger: pino.Logger): void => {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    correlationIdOf(request);
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions.url;
    const level = levelOf(route, reply.statusCode);
    if (logger.isLevelEnabled(level)) {
      const durationMs = Math.round(reply.elapsedTime * 10) / 10;
      const line = { ...requestFields(request), method: request.method, route, status: reply.statusCode, durationMs };
      logger[level](line, 'request completed');
    }
    done();
  });
};
