import { JwtService } from '@nestjs/jwt';
import type { Environment } from '../config/environment.js';
import { ACTOR_TYPES, type ActorType } from '../event-sourcing/domain/index.js';
import { jwtOptionsOf, lifetimeProblem } from './token-policy.js';
import { isUserId, USER_ID_RULE } from './user-id.js';

export interface TokenRequest {
  readonly user: string;
  readonly actorType: string;
  /** A lifetime as `jsonwebtoken` reads it (`12h`, `30m`); without it 12 hours, or JWT_MAX_LIFETIME_SECONDS if shorter. */
  readonly expires?: string;
}

/** A token this app accepts, signed with its secret; a message saying what is wrong otherwise. */
export const signToken = (env: Environment, request: TokenRequest): { token: string } | { problem: string } => {
  if (!isUserId(request.user)) return { problem: `--user takes an id of ${USER_ID_RULE}` };
  if (!(ACTOR_TYPES as readonly string[]).includes(request.actorType)) {
    return { problem: `--actor-type must be one of ${ACTOR_TYPES.join(', ')}` };
  }
  const jwt = new JwtService(jwtOptionsOf(env));
  const claims = { sub: request.user, actorType: request.actorType as ActorType };
  let token: string;
  try {
    token = jwt.sign(claims, request.expires ? { expiresIn: request.expires as '12h' } : {});
  } catch (error) {
    return { problem: `--expires ${request.expires}: ${(error as Error).message}` };
  }
  const tooLong = lifetimeProblem(jwt.decode<{ exp?: number; iat?: number }>(token), env.JWT_MAX_LIFETIME_SECONDS, Math.floor(Date.now() / 1000));
  return tooLong ? { problem: `--expires ${request.expires}: ${tooLong}` } : { token };
};
