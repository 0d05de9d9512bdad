import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment.js';
import { FixedWindowStorage } from './fixed-window.storage.js';
import { RateLimiter } from './rate-limiter.js';
import { TenantRateLimitGuard } from './tenant-rate-limit.guard.js';
import { UserRateLimitGuard } from './user-rate-limit.guard.js';

/**
 * Requests per second per user and per tenant (SPEC §8), counted in each process's memory:
 * with N web processes behind a balancer, a caller may get up to N times the limit. The two
 * guards are global guards in the app's order (app.module.ts). Unauthenticated requests are
 * counted per client address by the authentication guard itself, which alone knows which
 * requests need a signature checked.
 */
@Module({
  providers: [
    {
      provide: RateLimiter,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) =>
        new RateLimiter(new FixedWindowStorage(), {
          user: config.get('RATE_LIMIT_USER_PER_SECOND', { infer: true }),
          tenant: config.get('RATE_LIMIT_TENANT_PER_SECOND', { infer: true }),
          address: config.get('RATE_LIMIT_ADDRESS_PER_SECOND', { infer: true }),
        }),
    },
    UserRateLimitGuard,
    TenantRateLimitGuard,
  ],
  exports: [RateLimiter, UserRateLimitGuard, TenantRateLimitGuard],
})
export class RateLimitsModule {}
