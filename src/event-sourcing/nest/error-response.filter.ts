import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';
import { ReplayedAnswer } from './replayed-answer.js';

/** The code terminus's failing health check answers with (see `fromHttpException`). */
const READINESS_DOWN = 'SERVICE_UNAVAILABLE';

/**
 * The one filter: every error leaves as `{ error: { code, message, details } }`. A server error
 * is logged with its stack, and with `fieldsOf(request)` (the app's request fields: its id,
 * correlation id, tenant, actor) so the line can be found from the request's. A readiness check
 * that finds a dependency down (`SERVICE_UNAVAILABLE`, probed every few seconds, its body naming
 * what is down) is a warning without a stack: it is no error of the app's code. A keyed
 * request's repeat (`ReplayedAnswer`) leaves as the first answer did.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly fieldsOf: (request: FastifyRequest) => object = () => ({})) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (error instanceof ReplayedAnswer) {
      void host.switchToHttp().getResponse<FastifyReply>().headers(error.headers).status(error.status).send(error.body);
      return;
    }
    const { status, body, headers = {} } = toErrorResponse(error);
    const http = host.switchToHttp();
    if (status === 503 && body.error.code === READINESS_DOWN) {
      this.logger.warn({ ...this.fieldsOf(http.getRequest<FastifyRequest>()), msg: `not ready: ${JSON.stringify(body.error.details)}` });
    } else if (status >= 500) {
      const msg = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.logger.error({ ...this.fieldsOf(http.getRequest<FastifyRequest>()), msg });
    }
    void http.getResponse<FastifyReply>().headers(headers).status(status).send(body);
  }
}
