import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { RequestWithActor } from '../auth/current-actor.decorator.js';
import type { Environment } from '../config/environment.js';

/**
 * The admin API spans tenants, so only operators may call it: a system actor, or a user
 * listed in OPERATOR_USER_IDS. Practice owners get 403 like anyone else.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  private readonly operators: ReadonlySet<string>;

  constructor(@Inject(ConfigService) config: ConfigService<Environment, true>) {
    const listed = config.get('OPERATOR_USER_IDS', { infer: true });
    this.operators = new Set(listed.split(',').map((id) => id.trim()).filter(Boolean));
  }

  canActivate(context: ExecutionContext): boolean {
    const actor = context.switchToHttp().getRequest<RequestWithActor>().actor;
    if (actor && (actor.actorType === 'system' || this.operators.has(actor.userId))) return true;
    throw new ForbiddenException({ code: 'OPERATORS_ONLY', message: 'The admin API is for operators (system actors or OPERATOR_USER_IDS)' });
  }
}
