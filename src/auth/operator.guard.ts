import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Environment } from '../config/environment.js';
import type { RequestWithActor } from './current-actor.decorator.js';
import { operatorIdsOf } from './operators.js';
import { OPERATORS_ONLY } from './operators-only.decorator.js';

/**
 * `@OperatorsOnly()` routes (the admin API, metrics) span tenants, so only operators may call
 * them: users listed in OPERATOR_USER_IDS (as a person or as the system actor). Practice owners
 * get 403 like anyone else.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  private readonly operators: ReadonlySet<string>;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ConfigService) config: ConfigService<Environment, true>,
  ) {
    this.operators = operatorIdsOf(config.get('OPERATOR_USER_IDS', { infer: true }));
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.reflector.getAllAndOverride<boolean>(OPERATORS_ONLY, [context.getHandler(), context.getClass()])) return true;
    const actor = context.switchToHttp().getRequest<RequestWithActor>().actor;
    if (actor && this.operators.has(actor.userId)) return true;
    throw new ForbiddenException({ code: 'OPERATORS_ONLY', message: 'The admin API is for operators (OPERATOR_USER_IDS)' });
  }
}
