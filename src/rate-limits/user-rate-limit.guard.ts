import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { operatorIdsOf } from '../auth/operators.js';
import { OPERATORS_ONLY } from '../auth/operators-only.decorator.js';
import type { Environment } from '../config/environment.js';
import type { CommandCaller } from '../event-sourcing/index.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Every request of an authenticated caller counts against their limit, refused ones (403)
 * included: a global guard after the authentication guard, so the caller is known.
 */
@Injectable()
export class UserRateLimitGuard extends RateLimitGuard {
  protected readonly scope = 'user';
  private readonly operators: ReadonlySet<string>;

  constructor(
    @Inject(Reflector) reflector: Reflector,
    @Inject(RateLimiter) limiter: RateLimiter,
    @Inject(ConfigService) config: ConfigService<Environment, true>,
  ) {
    super(reflector, limiter);
    this.operators = operatorIdsOf(config.get('OPERATOR_USER_IDS', { infer: true }));
  }

  protected counted(request: CommandCaller): string | undefined {
    return request.actor?.userId;
  }

  /**
   * An operators' route is exempt so that operators are served while callers are refused: for
   * operators only. This guard runs before the operator guard, so anyone else would otherwise
   * get unlimited 403s there; they are counted like everywhere else.
   */
  protected override exempt(context: ExecutionContext, request: CommandCaller): boolean {
    if (!super.exempt(context, request)) return false;
    const route = [context.getHandler(), context.getClass()];
    const operatorsOnly = this.reflector.getAllAndOverride<boolean>(OPERATORS_ONLY, route);
    return !operatorsOnly || this.operators.has(request.actor?.userId ?? '');
  }
}
