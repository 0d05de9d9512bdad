import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';

/**
 * The one filter: every error leaves as `{ error: { code, message, details } }`. A server error
 * is logged with its stack, and with `fieldsOf(request)` (the app's request fields: its id,
 * correlation id, tenant, actor) so the line can be found from the request's.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly fieldsOf: (request: FastifyRequest) => object = () => ({})) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const { status, body, headers = {} } = toErrorResponse(error);
    const http = host.switchToHttp();
    if (status >= 500) {
      const msg = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.logger.error({ ...this.fieldsOf(http.getRequest<FastifyRequest>()), msg });
    }
    void http.getResponse<FastifyReply>().headers(headers).status(status).send(body);
  }
}
