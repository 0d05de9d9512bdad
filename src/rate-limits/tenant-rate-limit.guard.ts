import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { CommandCaller } from '../event-sourcing/index.js';
import { isNotRateLimited } from './not-rate-limited.decorator.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * A tenant's limit counts only its members' requests: a global guard after the access guard,
 * which sets the tenant the caller was admitted to. Counted before it, anyone could exhaust
 * another tenant's limit by naming it. Before the idempotency guard, so a refused request
 * claims no Idempotency-Key. The order is the app's (app.module.ts).
 */
@Injectable()
export class TenantRateLimitGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const tenantId = context.switchToHttp().getRequest<CommandCaller>().tenantId;
    if (tenantId && !isNotRateLimited(this.reflector, context)) {
      await this.limiter.hit('tenant', tenantId, context.switchToHttp().getResponse<FastifyReply>());
    }
    return true;
  }
}
