import { Inject, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandCaller } from '../event-sourcing/index.js';
import { isNotRateLimited } from './not-rate-limited.decorator.js';
import { RateLimiter, type RateLimitScope } from './rate-limiter.js';

/** Counts the request against the limit of whom `counted` names (none: not counted), unless it is `exempt`. */
export abstract class RateLimitGuard implements CanActivate {
  protected abstract readonly scope: RateLimitScope;

  constructor(
    @Inject(Reflector) protected readonly reflector: Reflector,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  protected abstract counted(request: FastifyRequest & CommandCaller): string | undefined;

  /** A `@NotRateLimited()` route; a guard may narrow who it exempts there. */
  protected exempt(context: ExecutionContext, _request: CommandCaller): boolean {
    return isNotRateLimited(this.reflector, context);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & CommandCaller>();
    const id = this.counted(request);
    if (id && !this.exempt(context, request)) {
      await this.limiter.hit(this.scope, id, context.switchToHttp().getResponse<FastifyReply>());
    }
    return true;
  }
}
