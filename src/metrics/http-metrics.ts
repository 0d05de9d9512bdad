import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import { httpLabels } from './http-labels.js';

/**
 * Observes every answered request's latency in a histogram, from a Fastify `onResponse` hook: it
 * runs after the reply is sent, reads the time Fastify measured, and does no I/O.
 */
export const observeHttpRequests = (fastify: FastifyInstance, registry: Registry): void => {
  const latency = new Histogram({
    name: 'chronicle_http_request_duration_seconds',
    help: 'Time from the request\'s arrival to its reply, by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    latency.observe(httpLabels(request.method, request.routeOptions.url, reply.statusCode), reply.elapsedTime / 1000);
    done();
  });
};
