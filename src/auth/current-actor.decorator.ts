import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedActor } from './authenticated-actor.js';

export interface RequestWithActor {
  actor?: AuthenticatedActor;
}

/** The caller the authentication guard established for this request. */
export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedActor =>
    context.switchToHttp().getRequest<RequestWithActor>().actor as AuthenticatedActor,
);
