import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Environment } from '../config/environment.js';
import { FixedWindowStorage } from './fixed-window.storage.js';
import { RateLimiter } from './rate-limiter.js';
import { TenantRateLimitInterceptor } from './tenant-rate-limit.interceptor.js';
import { UserRateLimitGuard } from './user-rate-limit.guard.js';

/**
 * Requests per second per user and per tenant (SPEC §8), counted in each process's memory:
 * with N web processes behind a balancer, a caller may get up to N times the limit.
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
        }),
    },
    { provide: APP_GUARD, useClass: UserRateLimitGuard },
    { provide: APP_INTERCEPTOR, useClass: TenantRateLimitInterceptor },
  ],
})
export class RateLimitsModule {}
