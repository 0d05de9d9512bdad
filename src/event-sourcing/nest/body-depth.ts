import { BadRequestException } from '@nestjs/common';

/** No request of ours nests deeper; much deeper bodies overflow class-transformer's recursion (a 500). */
export const MAX_BODY_DEPTH = 32;

/** Whether a parsed JSON body nests objects or arrays deeper than `limit`; iterative, so any depth is safe to check. */
export const nestsDeeperThan = (body: unknown, limit: number): boolean => {
  const pending: { value: unknown; depth: number }[] = [{ value: body, depth: 0 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(value)) pending.push({ value: child, depth: depth + 1 });
  }
  return false;
};

/** A Fastify preValidation hook: refuses bodies nested deeper than MAX_BODY_DEPTH with 400 BODY_TOO_DEEP. */
export const rejectDeepBodies = async (request: { body?: unknown }): Promise<void> => {
  if (nestsDeeperThan(request.body, MAX_BODY_DEPTH)) {
    throw new BadRequestException({ code: 'BODY_TOO_DEEP', message: `JSON bodies may nest at most ${MAX_BODY_DEPTH} levels deep` });
  }
};
