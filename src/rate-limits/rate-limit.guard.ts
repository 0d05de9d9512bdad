import { Inject, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandCaller } from '../event-sourcing/index.js';
import { isNotRateLimited } from './not-rate-limited.decorator.js';
import { RateLimiter, type RateLimitScope } from './rate-limiter.js';

/** Counts the request against the limit of whom `counted` names (none: not counted), unless the route is `@NotRateLimited()`. */
export abstract class RateLimitGuard implements CanActivate {
  protected abstract readonly scope: RateLimitScope;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  protected abstract counted(request: FastifyRequest & CommandCaller): string | undefined;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const id = this.counted(context.switchToHttp().getRequest<FastifyRequest & CommandCaller>());
    if (id && !isNotRateLimited(this.reflector, context)) {
      await this.limiter.hit(this.scope, id, context.switchToHttp().getResponse<FastifyReply>());
    }
    return true;
  }
}
