import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import type { CommandCaller } from '../event-sourcing/index.js';
import { isNotRateLimited } from './not-rate-limited.decorator.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * A tenant's limit counts only its members' requests: an interceptor runs after every guard,
 * so the tenant is one the caller was admitted to (the access guard sets it). Counted before the guards, anyone could
 * exhaust another tenant's limit by naming it. Registered before IdempotencyInterceptor, so a
 * refused request claims no Idempotency-Key.
 */
@Injectable()
export class TenantRateLimitInterceptor implements NestInterceptor {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const tenantId = context.switchToHttp().getRequest<CommandCaller>().tenantId;
    if (tenantId && !isNotRateLimited(this.reflector, context)) {
      await this.limiter.hit('tenant', tenantId, context.switchToHttp().getResponse<FastifyReply>());
    }
    return next.handle();
  }
}
