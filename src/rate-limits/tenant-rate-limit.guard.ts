import { Injectable } from '@nestjs/common';
import type { CommandCaller } from '../event-sourcing/index.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/**
 * A tenant's limit counts only its members' requests: a global guard after the access guard,
 * which sets the tenant the caller was admitted to. Counted before it, anyone could exhaust
 * another tenant's limit by naming it. Before the idempotency guard, so a refused request
 * claims no Idempotency-Key. The order is the app's (app.module.ts).
 */
@Injectable()
export class TenantRateLimitGuard extends RateLimitGuard {
  protected readonly scope = 'tenant';

  protected counted(request: CommandCaller): string | undefined {
    return request.tenantId;
  }
}
