/** The label of a request no route matched: its raw path could carry ids, and any number of them. */
export const UNMATCHED_ROUTE = 'unmatched';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface HttpLabels {
  readonly method: string;
  readonly route: string;
  readonly status_class: string;
}

/**
 * A request's labels for the latency histogram: the route as declared (`/v1/practices/:practiceId`,
 * Fastify's `routeOptions.url`), never the raw path; the status as its class. Each label takes a
 * bounded set of values, so the series stay few whatever callers send.
 */
export const httpLabels = (method: string, routeUrl: string | undefined, statusCode: number): HttpLabels => ({
  method: KNOWN_METHODS.has(method) ? method : 'OTHER',
  route: routeUrl ?? UNMATCHED_ROUTE,
  status_class: statusCode >= 100 && statusCode < 600 ? `${Math.floor(statusCode / 100)}xx` : 'other',
});
