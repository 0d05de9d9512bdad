import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Environment } from './config/environment.js';
import { DatabaseModule, PG_POOL } from './database/database.module.js';
import { EventSourcingModule, IdempotencyGuard, MessagingModule } from './event-sourcing/index.js';
import { HealthModule } from './health/health.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AuthenticationGuard } from './auth/authentication.guard.js';
import { OperatorGuard } from './auth/operator.guard.js';
import { PracticeAccessGuard, TenancyModule } from './contexts/tenancy/public-api.js';
import { ReservationsModule } from './contexts/reservations/public-api.js';
import { NotificationsModule } from './contexts/notifications/public-api.js';
import { PaymentsModule } from './contexts/payments/public-api.js';
import { EventsApiModule } from './events-api/events-api.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { AdminModule } from './admin/admin.module.js';
import { RateLimitsModule } from './rate-limits/rate-limits.module.js';
import { TenantRateLimitGuard } from './rate-limits/tenant-rate-limit.guard.js';
import { UserRateLimitGuard } from './rate-limits/user-rate-limit.guard.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { Registry } from 'prom-client';

/** The relay and RabbitMQ's consumers run where subscriptions run, when a broker is configured. */
export const runsRelay = (env: Environment): env is Environment & { AMQP_URL: string } => env.AMQP_URL !== undefined && env.ROLE !== 'web';

const listOf = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Who may do what, checked in this order by every route (Nest runs global guards as they are
 * listed; a route's `@UseGuards` would run after all of them). Routes say what they need with
 * decorators: `@Public()`, `@PracticeAccess(role)`, `@OperatorsOnly()`, `@NotRateLimited()`.
 * - who is calling (401 without a valid caller; 429 for a client address past its limit of
 *   requests whose token must be checked), then that caller's own rate limit;
 * - the tenant's door: a member of the practice with the role (403), which sets the tenant;
 *   or an operator, for routes that span tenants;
 * - that tenant's rate limit: it counts only requests of callers it admitted;
 * - last, the Idempotency-Key's claim: a request refused above claims no key.
 */
const ADMISSION: readonly Type[] = [
  AuthenticationGuard,
  UserRateLimitGuard,
  PracticeAccessGuard,
  OperatorGuard,
  TenantRateLimitGuard,
  IdempotencyGuard,
];
const admission: Provider[] = ADMISSION.map((guard) => ({ provide: APP_GUARD, useExisting: guard }));

@Module({})
export class AppModule {
  /**
   * `env` is validated before the app is built (main.ts exits on bad config with a message
   * per variable); ConfigService serves exactly it, so tests can pass their own.
   */
  static forRoot(env: Environment): DynamicModule {
    // This app's metrics: the core registers into it, MetricsModule adds the edge's and serves it.
    const metrics = new Registry();
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          skipProcessEnv: true,
          load: [() => ({ ...env })],
        }),
        CqrsModule.forRoot(),
        DatabaseModule,
        AuthModule,
        RateLimitsModule,
        EventSourcingModule.forRoot({
          pool: PG_POOL,
          workers: { enabled: env.ROLE !== 'web', paused: listOf(env.PROJECTIONS_PAUSED) },
          rememberedAggregates: env.REMEMBERED_AGGREGATES,
          appendGroup: { inFlight: env.APPEND_GROUP_STATEMENTS, maxAppends: env.APPEND_GROUP_SIZE },
          idempotencyKeyTtlHours: env.IDEMPOTENCY_KEY_TTL_HOURS,
          metrics,
          keyEncryptionKey: Buffer.from(env.KEY_ENCRYPTION_KEY, 'base64'),
        }),
        ...(runsRelay(env) ? [MessagingModule.forRoot({ url: env.AMQP_URL, exchange: env.AMQP_EXCHANGE }), NotificationsModule] : []),
        HealthModule,
        TenancyModule,
        ReservationsModule.forRoot({ depositDeadlineSeconds: env.DEPOSIT_DEADLINE_SECONDS }),
        PaymentsModule.forRoot({ fakeProviderDelayMs: env.FAKE_PROVIDER_DELAY_MS, webhookSecret: env.PAYMENT_WEBHOOK_SECRET }),
        EventsApiModule,
        PrivacyModule,
        AdminModule,
        MetricsModule.forRoot(metrics),
      ],
      providers: admission,
    };
  }
}
