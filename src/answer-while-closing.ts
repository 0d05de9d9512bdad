import type { FastifyInstance } from 'fastify';

const SHUTTING_DOWN = {
  error: { code: 'SHUTTING_DOWN', message: 'This process is shutting down; retry, and another one will answer', details: {} },
};

/**
 * A request that reaches the server once it closes (on a keep-alive connection it still holds,
 * or pipelined behind one it is finishing) gets the app's error shape: 503 `SHUTTING_DOWN`,
 * with `Retry-After` and `Connection: close`. Fastify's own answer, which has no error code,
 * is turned off (`return503OnClosing: false`), and this takes its place from the first of the
 * close hooks on. Requests already being served finish.
 */
export const answerWhileClosing = (fastify: FastifyInstance): void => {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    void reply.code(503).headers({ 'retry-after': '1', connection: 'close' }).send(SHUTTING_DOWN);
  });
};
