import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { completeApiDocument } from './api-docs/api-document.js';
import { AppModule, runsRelay } from './app.module.js';
import { acceptJsonBodiesOnly, answerClientError, ErrorResponseFilter, rejectUnreasonableInput, requestValidationPipe, toErrorResponse } from './event-sourcing/index.js';
import { DEVELOPMENT_KEY_ENCRYPTION_KEY, DEVELOPMENT_PAYMENT_WEBHOOK_SECRET, usesDevelopmentSecret, type Environment } from './config/environment.js';
import { createRootLogger, nestLoggerFor, type LogOptions } from './logging/logger.js';
import { securityHeadersOf } from './security-headers/security-headers.js';
import { logRequests } from './logging/request-logging.js';
import { requestFields } from './logging/request-context.js';
import { answerWhileClosing } from './answer-while-closing.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Ids in paths are up to 255 characters, more once percent-encoded; Fastify's default (100) answered 414 to valid ones. */
const MAX_PARAM_LENGTH = 1024;
/** Node checks requests' deadlines this often: its default (30 s) could double a short timeout. */
const deadlineChecksEvery = (requestTimeoutMs: number): number => Math.min(1_000, Math.ceil(requestTimeoutMs / 4));

export interface AppOptions {
  /**
   * Serve the Swagger UI pages at /docs (the JSON document at /docs-json is always served).
   * Jest cannot load the UI's static-file plugin (it requires ES-module-only packages), so
   * HTTP tests turn it off; the start-up test checks the UI on the real process.
   */
  readonly docsUi?: boolean;
  /** Where the app's log lines go (tests read them). */
  readonly logs?: LogOptions;
}

/** Builds the Nest app on Fastify; `main.ts` and the HTTP tests both start it through here. */
export const createApp = async (env: Environment, options: AppOptions = {}): Promise<NestFastifyApplication> => {
  const logger = await createRootLogger(env, options.logs);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(env),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      // The app has no Express-style middleware (helmet runs as a Fastify hook): without this, Nest
      // registers @fastify/middie, whose hook ran on every request for nothing (~4% of a command's CPU).
      skipMiddie: true,
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      // The client's address (request.ip, which unauthenticated requests are limited by) is the
      // one these proxies forward; with none, the connection's own.
      ...(env.TRUST_PROXY.trim() !== '' && { trustProxy: env.TRUST_PROXY }),
      // Fastify's defaults (0) let a client that sent its headers hold the connection forever. Node
      // takes requestTimeout when the server is made (and bounds headersTimeout by it): set only
      // afterwards, as Fastify's option does, it left a trickling body uncut (Node 20, measured).
      requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
      connectionTimeout: env.HTTP_CONNECTION_TIMEOUT_MS,
      http: {
        requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
        connectionsCheckingInterval: deadlineChecksEvery(env.HTTP_REQUEST_TIMEOUT_MS),
      },
      clientErrorHandler: answerClientError,
      // A request that reaches the server while it closes gets the app's error shape: answerWhileClosing.
      return503OnClosing: false,
      // Unique across processes and restarts, unlike Fastify's counter: log lines and events name the request.
      genReqId: () => randomUUID(),
      // The router refuses a malformed URL (400) or an over-long parameter (414) before Nest's filter runs: same body.
      frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
        const { status, body } = toErrorResponse(error);
        void reply.status(status).send(body);
      },
    }),
    // Nest's parsers would take forms too: see acceptJsonBodiesOnly.
    // Nest's lines and every `new Logger(context)` go through pino, from the first line on.
    { logger: nestLoggerFor(logger), abortOnError: false, bodyParser: false },
  );
  app.enableShutdownHooks();
  app.useGlobalFilters(new ErrorResponseFilter(requestFields));
  const fastify = app.getHttpAdapter().getInstance();
  // helmet's defaults suit /docs too (the UI's scripts are files of its own; its inline styles are
  // allowed), but for upgrade-insecure-requests: over plain HTTP, browsers would fetch them by HTTPS.
  const securityHeaders = securityHeadersOf({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } });
  // Answers hold tenants' data (guests' names): no cache, shared or the browser's, keeps one. A
  // route serving files without data says otherwise (the event browser's).
  const headers = { ...securityHeaders, 'cache-control': 'no-store' };
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
  answerWhileClosing(fastify);
  logRequests(fastify, logger);
  fastify.addHook('preValidation', rejectUnreasonableInput);
  acceptJsonBodiesOnly(fastify);
  app.useGlobalPipes(requestValidationPipe());
  const openApi = new DocumentBuilder()
    .setTitle('Chronicle')
    .setDescription('Event-sourced backend: commands, queries and the events API')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => completeApiDocument(SwaggerModule.createDocument(app, openApi)), { ui: options.docsUi ?? true });
  return app;
};

export const startupMessage = (env: Environment, databaseDescription: string): string[] => {
  const base = `http://localhost:${env.PORT}`;
  return [
    `Chronicle is listening on ${base} (role ${env.ROLE}) — try: curl ${base}/health · API docs: ${base}/docs · database: ${databaseDescription}`,
    env.AUTH_MODE === 'trusted-header'
      ? 'AUTH_MODE=trusted-header: callers are identified by the x-user-id and x-actor-type headers'
      : 'authenticate with "Authorization: Bearer <token>"; get a development token with: npm run -s token -- --user <your-id>',
    relayMessage(env),
  ];
};

/** Said plainly either way: an operator must not believe events reach RabbitMQ when they do not. */
const relayMessage = (env: Environment): string => {
  if (!env.AMQP_URL) return 'AMQP_URL is not set: the relay to RabbitMQ is off, no event is published';
  const where = `${new URL(env.AMQP_URL).host}, exchange ${env.AMQP_EXCHANGE}`;
  return runsRelay(env)
    ? `the relay publishes every event to RabbitMQ (${where}); /health reports the broker`
    : `AMQP_URL is set (${where}); ROLE=web publishes nothing: worker processes run the relay`;
};

/** Logged as warnings at start: what is fine on a laptop and not in a deployment. */
export const startupWarnings = (env: Environment): string[] => [
  ...(usesDevelopmentSecret(env)
    ? ['JWT_SECRET is the public development default: anyone can sign tokens for this server. Set your own (NODE_ENV=production refuses to start without one)']
    : []),
  ...(env.AUTH_MODE === 'trusted-header'
    ? [
        'AUTH_MODE=trusted-header: whoever reaches this port is whoever its x-user-id header says. Only the authenticating gateway may reach it, and it must overwrite x-user-id and x-actor-type on every request',
      ]
    : []),
  ...(env.KEY_ENCRYPTION_KEY === DEVELOPMENT_KEY_ENCRYPTION_KEY
    ? ['KEY_ENCRYPTION_KEY is the public development default: personal data is sealed with a key anyone can read. Set your own (NODE_ENV=production refuses to start without one)']
    : []),
  ...(env.PAYMENT_WEBHOOK_SECRET === DEVELOPMENT_PAYMENT_WEBHOOK_SECRET
    ? ['PAYMENT_WEBHOOK_SECRET is the public development default: anyone can sign a payment capture or failure for this server. Set the provider\'s signing secret (NODE_ENV=production refuses to start without one)']
    : []),
];


