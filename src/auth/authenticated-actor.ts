import type { Actor, ActorType } from '../event-sourcing/index.js';

/** Who is calling, as proven by a bearer token or asserted by a trusted gateway. */
export interface AuthenticatedActor {
  readonly userId: string;
  readonly actorType: ActorType;
}

export const toActor = (caller: AuthenticatedActor): Actor => ({ type: caller.actorType, id: caller.userId });

/** The claims Chronicle's tokens carry. */
export interface TokenClaims {
  readonly sub: string;
  readonly actorType?: ActorType;
  readonly exp?: number;
  readonly iat?: number;
}
