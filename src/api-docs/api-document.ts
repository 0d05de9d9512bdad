import type { OpenAPIObject, OperationObject, ParameterObject, PathItemObject, ResponseObject } from '@nestjs/swagger';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const WRITES = new Set<string>(['put', 'post', 'delete', 'patch']);

const IDEMPOTENCY_KEY: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    '1-255 visible ASCII characters. A retry with the same key (same caller, same request: method, URL, body and If-Match) ' +
    'gets the first answer and appends nothing; the same key on another request gets 422 IDEMPOTENCY_KEY_REUSED, ' +
    'one still running 409 IDEMPOTENCY_KEY_IN_PROGRESS. A malformed x-correlation-id or If-Match is refused (400) before ' +
    'the key is taken, so the corrected request runs. 503 DATABASE_UNAVAILABLE: the command may have been stored; ' +
    'retry with the same key to get its answer.',
  schema: { type: 'string', maxLength: 255 },
};

/** Answers any route that needs a caller may give before its own: authentication and the rate limits come first. */
const CALLER_REFUSALS: Readonly<Record<string, ResponseObject>> = {
  '401': { description: 'UNAUTHENTICATED: no bearer token, or one that is not valid' },
  '429': {
    description:
      'RATE_LIMITED, with Retry-After: too many requests a second from this caller, this practice, or (without a verified token) this client address',
  },
};

const isParameter = (parameter: unknown): parameter is ParameterObject => typeof parameter === 'object' && parameter !== null && 'in' in parameter;

/** What every operation of the app holds without saying so route by route. */
const completeOperation = (path: string, method: string, operation: OperationObject): void => {
  const parameters = (operation.parameters ??= []);
  const declared = new Set(parameters.filter(isParameter).map((p) => `${p.in}:${p.name.toLowerCase()}`));
  // A route that takes a path parameter only through its guard (the practice) still has it in its path.
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    if (!declared.has(`path:${name.toLowerCase()}`)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  // The idempotency guard is global: every write takes the header.
  if (WRITES.has(method) && !declared.has('header:idempotency-key')) parameters.push(IDEMPOTENCY_KEY);
  // Routes that need a caller say so by their security scheme; public ones have none.
  if ((operation.security ?? []).length > 0) {
    const responses = (operation.responses ??= {});
    for (const [status, response] of Object.entries(CALLER_REFUSALS)) responses[status] ??= response;
  }
};

/** The OpenAPI document Nest built, completed with what holds for every route (see `completeOperation`). */
export const completeApiDocument = (document: OpenAPIObject): OpenAPIObject => {
  for (const [path, item] of Object.entries(document.paths) as [string, PathItemObject][]) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) completeOperation(path, method, operation);
    }
  }
  return document;
};
