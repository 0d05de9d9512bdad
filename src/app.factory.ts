import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module.js';
import { toErrorResponse } from './event-sourcing/nest/error-response.js';
import { ErrorResponseFilter } from './event-sourcing/nest/error-response.filter.js';
import { acceptJsonBodiesOnly } from './event-sourcing/nest/json-bodies-only.js';
import { requestValidationPipe } from './event-sourcing/nest/request-validation.pipe.js';
import { rejectUnreasonableInput } from './event-sourcing/nest/unreasonable-input.js';
import { DEVELOPMENT_JWT_SECRET, type Environment } from './config/environment.js';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Ids in paths are up to 255 characters, more once percent-encoded; Fastify's default (100) answered 414 to valid ones. */
const MAX_PARAM_LENGTH = 1024;

export interface AppOptions {
  /**
   * Serve the Swagger UI pages at /docs (the JSON document at /docs-json is always served).
   * Jest cannot load the UI's static-file plugin (it requires ES-module-only packages), so
   * HTTP tests turn it off; the start-up test checks the UI on the real process.
   */
  readonly docsUi?: boolean;
}

/** Builds the Nest app on Fastify; `main.ts` and the HTTP tests both start it through here. */
export const createApp = async (env: Environment, options: AppOptions = {}): Promise<NestFastifyApplication> => {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(env),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      // The router refuses a malformed URL (400) or an over-long parameter (414) before Nest's filter runs: same body.
      frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
        const { status, body } = toErrorResponse(error);
        void reply.status(status).send(body);
      },
    }),
    // Nest's parsers would take forms too: see acceptJsonBodiesOnly.
    { logger: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(env.LOG_LEVEL) + 1), abortOnError: false, bodyParser: false },
  );
  app.enableShutdownHooks();
  app.useGlobalFilters(new ErrorResponseFilter());
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('preValidation', rejectUnreasonableInput);
  acceptJsonBodiesOnly(fastify);
  app.useGlobalPipes(requestValidationPipe());
  const openApi = new DocumentBuilder()
    .setTitle('Chronicle')
    .setDescription('Event-sourced backend: commands, queries and the events API')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), { ui: options.docsUi ?? true });
  return app;
};

export const startupMessage = (env: Environment, databaseDescription: string): string[] => {
  const base = `http://localhost:${env.PORT}`;
  return [
    `Chronicle is listening on ${base} (role ${env.ROLE}) — try: curl ${base}/health · API docs: ${base}/docs · database: ${databaseDescription}`,
    env.AUTH_MODE === 'trusted-header'
      ? 'AUTH_MODE=trusted-header: callers are identified by the x-user-id and x-actor-type headers'
      : `authenticate with "Authorization: Bearer <token>"; get a development token with: npm run -s token -- --user <your-id>` +
        (env.JWT_SECRET === DEVELOPMENT_JWT_SECRET ? ' (JWT_SECRET is the development default: set your own before deploying)' : ''),
    env.AMQP_URL ? `relay to RabbitMQ at ${new URL(env.AMQP_URL).host} is on` : 'AMQP_URL is not set: the relay to RabbitMQ is off',
  ];
};


