import { SetMetadata } from '@nestjs/common';

export const NOT_RATE_LIMITED = 'chronicle:not-rate-limited';

/** Operators' and health routes: they must answer when callers are being refused. */
export const NotRateLimited = () => SetMetadata(NOT_RATE_LIMITED, true);
