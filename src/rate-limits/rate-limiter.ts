import { HttpException, HttpStatus } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';

/** Whose requests are counted: a caller's, a tenant's, or a client address's unauthenticated ones. */
export type RateLimitScope = 'user' | 'tenant' | 'address';

const WINDOW_MS = 1_000;

/** Counts a scope's requests per second; over the limit, 429 RATE_LIMITED with Retry-After. */
export class RateLimiter {
  constructor(
    private readonly storage: ThrottlerStorage,
    private readonly perSecond: Readonly<Record<RateLimitScope, number>>,
  ) {}

  async hit(scope: RateLimitScope, id: string, reply: FastifyReply): Promise<void> {
    const limit = this.perSecond[scope];
    const key = `${scope}:${id}`;
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(key, WINDOW_MS, limit, WINDOW_MS, scope);
    if (!isBlocked) return;
    void reply.header('retry-after', String(timeToBlockExpire));
    throw new HttpException(
      {
        code: 'RATE_LIMITED',
        message: `Too many requests for this ${scope}: at most ${limit} a second; retry after ${timeToBlockExpire} s`,
        details: { scope, limitPerSecond: limit, retryAfterSeconds: timeToBlockExpire },
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
