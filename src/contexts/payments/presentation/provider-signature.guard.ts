import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext, type RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CommandCaller } from '../../../event-sourcing/index.js';
import { PROVIDER_ACTOR } from '../application/provider-callbacks.js';
import { SIGNATURE_HEADER, signatureProblem } from './provider-signature.js';

/** The secret the provider signs its answers with (PAYMENT_WEBHOOK_SECRET). */
export const PAYMENT_WEBHOOK_SECRET = Symbol('PAYMENT_WEBHOOK_SECRET');

const NO_BODY = Buffer.alloc(0);

/**
 * The webhook route's door, in place of a member's token: the provider proves itself by the
 * signature over the body, and becomes the caller its commands are recorded under (the same
 * actor as its answers recorded in-process). A bad or missing signature is 401 before the
 * body is validated or anything is read or written.
 */
@Injectable()
export class ProviderSignatureGuard implements CanActivate {
  constructor(@Inject(PAYMENT_WEBHOOK_SECRET) private readonly secret: string) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RawBodyRequest<FastifyRequest> & CommandCaller>();
    const header = request.headers[SIGNATURE_HEADER];
    const problem = signatureProblem(typeof header === 'string' ? header : undefined, request.rawBody ?? NO_BODY, this.secret);
    if (problem) throw new UnauthorizedException({ code: 'INVALID_SIGNATURE', message: `Not signed by the payment provider: ${problem}` });
    request.actor = { userId: PROVIDER_ACTOR.id, actorType: PROVIDER_ACTOR.type };
    return true;
  }
}
