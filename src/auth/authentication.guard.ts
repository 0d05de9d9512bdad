import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACTOR_TYPES, type ActorType, KeyCache } from '../event-sourcing/index.js';
import type { Environment } from '../config/environment.js';
import type { AuthenticatedActor, TokenClaims } from './authenticated-actor.js';
import type { RequestWithActor } from './current-actor.decorator.js';
import { operatorIdsOf } from './operators.js';
import { IS_PUBLIC } from './public.decorator.js';
import { lifetimeProblem } from './token-policy.js';
import { RateLimiter } from '../rate-limits/rate-limiter.js';
import { isUserId } from './user-id.js';
import { clientKeyOf } from '../rate-limits/client-address.js';

const unauthenticated = (message: string) => new UnauthorizedException({ code: 'UNAUTHENTICATED', message });
/** Tokens whose signature was checked, kept by their text: a caller sends the same one on every request. */
const VERIFIED_TOKENS = 10_000;

type VerifiedClaims = TokenClaims & { readonly nbf?: number };

/**
 * Whether claims verified earlier still hold at `nowSeconds` as jsonwebtoken judges times
 * (expired from `exp` on, active from `nbf` on): the signature, algorithm, issuer and audience
 * of a token's text never change, its time window does. Outside it the token is verified
 * again, which refuses it with jsonwebtoken's own message.
 */
const stillInWindow = ({ exp, nbf }: VerifiedClaims, nowSeconds: number): boolean =>
  typeof exp === 'number' && nowSeconds < exp && !(typeof nbf === 'number' && nbf > nowSeconds);

const actorTypeOf = (value: unknown): ActorType => {
  if (value === undefined) return 'human';
  if (typeof value === 'string' && (ACTOR_TYPES as readonly string[]).includes(value)) return value as ActorType;
  throw unauthenticated(`actor type must be one of ${ACTOR_TYPES.join(', ')}`);
};

const userIdOf = (value: unknown): string => {
  if (!isUserId(value)) throw unauthenticated('the caller has no valid user id');
  return value;
};

const BEARER = /^bearer +(\S+) *$/i;

/**
 * Every route but `@Public()` ones needs a caller: a Bearer JWT (HS256) by default, or
 * `x-user-id` / `x-actor-type` headers when a gateway has authenticated already
 * (AUTH_MODE=trusted-header).
 *
 * A request without credentials, or whose token's signature must be checked (not verified
 * before), counts against its client address's limit first: a flood of forged tokens is
 * answered 429 before any is checked, and callers whose tokens passed earlier are not slowed.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly mode: Environment['AUTH_MODE'];
  private readonly maxLifetimeSeconds: number;
  private readonly operators: ReadonlySet<string>;
  /** Only tokens that passed every check; a token's signature is checked once (~40 µs a request). */
  private readonly verified = new KeyCache<VerifiedClaims>(VERIFIED_TOKENS);

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(ConfigService) config: ConfigService<Environment, true>,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {
    this.mode = config.get('AUTH_MODE', { infer: true });
    this.maxLifetimeSeconds = config.get('JWT_MAX_LIFETIME_SECONDS', { infer: true });
    this.operators = operatorIdsOf(config.get('OPERATOR_USER_IDS', { infer: true }));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & RequestWithActor>();
    const reply = http.getResponse<FastifyReply>();
    const actor = this.mode === 'trusted-header' ? await this.fromHeaders(request, reply) : await this.fromToken(request, reply);
    // Acting as the system is for operators; anyone else claiming it is refused, not downgraded.
    if (actor.actorType === 'system' && !this.operators.has(actor.userId)) {
      throw new ForbiddenException({ code: 'SYSTEM_ACTOR_NOT_ALLOWED', message: 'Only operators (OPERATOR_USER_IDS) may act as the system actor' });
    }
    request.actor = actor;
    return true;
  }

  private async fromHeaders(request: FastifyRequest, reply: FastifyReply): Promise<AuthenticatedActor> {
    const userId = request.headers['x-user-id'];
    if (userId === undefined) return this.refuseUncredentialed(request, reply, 'x-user-id header is missing');
    return { userId: userIdOf(userId), actorType: actorTypeOf(request.headers['x-actor-type']) };
  }

  private async fromToken(request: FastifyRequest, reply: FastifyReply): Promise<AuthenticatedActor> {
    // The scheme's name is case-insensitive (RFC 9110 §11.1): "bearer" is as good as "Bearer".
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return this.refuseUncredentialed(request, reply, 'Authorization: Bearer <token> is missing');
    const nowSeconds = Math.floor(Date.now() / 1000);
    const known = this.verified.get(token);
    const claims = known && stillInWindow(known, nowSeconds) ? known : await this.verify(token, request, reply);
    const lifetime = lifetimeProblem(claims, this.maxLifetimeSeconds, nowSeconds);
    if (lifetime) throw unauthenticated(lifetime);
    const actor = { userId: userIdOf(claims.sub), actorType: actorTypeOf(claims.actorType) };
    if (claims !== known) this.verified.set(token, claims);
    return actor;
  }

  private async verify(token: string, request: FastifyRequest, reply: FastifyReply): Promise<VerifiedClaims> {
    this.verified.delete(token);
    await this.countAddress(request, reply);
    try {
      return await this.jwt.verifyAsync<VerifiedClaims & object>(token); // algorithm, issuer, audience: token-policy.ts
    } catch (error) {
      // Not jsonwebtoken's "expected: <issuer or audience>": what the app accepts is none of an anonymous caller's business.
      throw unauthenticated(`the bearer token is not valid: ${(error as Error).message.replace(/\. expected: .*$/s, '')}`);
    }
  }

  /** A request without credentials: counted against its address (429 past the limit), else 401. */
  private async refuseUncredentialed(request: FastifyRequest, reply: FastifyReply, message: string): Promise<never> {
    await this.countAddress(request, reply);
    throw unauthenticated(message);
  }

  /** The client's address (the forwarded one behind TRUST_PROXY's proxies; IPv6 by /64): 429 once over its limit. */
  private countAddress(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.limiter.hit('address', clientKeyOf(request.ip), reply);
  }
}
