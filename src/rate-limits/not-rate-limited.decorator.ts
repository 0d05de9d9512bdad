import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

const NOT_RATE_LIMITED = 'chronicle:not-rate-limited';

/**
 * Operators' and health routes: they must answer when callers are being refused. On an
 * `@OperatorsOnly()` route only operators are exempt (`UserRateLimitGuard`).
 */
export const NotRateLimited = () => SetMetadata(NOT_RATE_LIMITED, true);

export const isNotRateLimited = (reflector: Reflector, context: ExecutionContext): boolean =>
  reflector.getAllAndOverride<boolean>(NOT_RATE_LIMITED, [context.getHandler(), context.getClass()]) ?? false;
