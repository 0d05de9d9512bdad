import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { RequestWithActor } from '../auth/current-actor.decorator.js';
import { isNotRateLimited } from './not-rate-limited.decorator.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Every request of an authenticated caller counts against their limit, refused ones (403)
 * included. A global guard registered after the authentication guard, so the caller is known.
 */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const actor = context.switchToHttp().getRequest<RequestWithActor>().actor;
    if (!actor || isNotRateLimited(this.reflector, context)) return true;
    await this.limiter.hit('user', actor.userId, context.switchToHttp().getResponse<FastifyReply>());
    return true;
  }
}
