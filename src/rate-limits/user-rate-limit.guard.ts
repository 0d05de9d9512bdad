import { Injectable } from '@nestjs/common';
import type { CommandCaller } from '../event-sourcing/index.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/**
 * Every request of an authenticated caller counts against their limit, refused ones (403)
 * included: a global guard after the authentication guard, so the caller is known.
 */
@Injectable()
export class UserRateLimitGuard extends RateLimitGuard {
  protected readonly scope = 'user';

  protected counted(request: CommandCaller): string | undefined {
    return request.actor?.userId;
  }
}
