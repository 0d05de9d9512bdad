import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { RequestWithActor } from '../auth/current-actor.decorator.js';
import { operatorIdsOf } from '../auth/operators.js';
import type { Environment } from '../config/environment.js';

/**
 * The admin API spans tenants, so only operators may call it: users listed in
 * OPERATOR_USER_IDS (as a person or as the system actor). Practice owners get 403 like anyone else.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  private readonly operators: ReadonlySet<string>;

  constructor(@Inject(ConfigService) config: ConfigService<Environment, true>) {
    this.operators = operatorIdsOf(config.get('OPERATOR_USER_IDS', { infer: true }));
  }

  canActivate(context: ExecutionContext): boolean {
    const actor = context.switchToHttp().getRequest<RequestWithActor>().actor;
    if (actor && this.operators.has(actor.userId)) return true;
    throw new ForbiddenException({ code: 'OPERATORS_ONLY', message: 'The admin API is for operators (OPERATOR_USER_IDS)' });
  }
}
