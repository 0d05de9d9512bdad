/** What one autocannon phase does; sent to the load-generator process as its first message. */
export interface LoadPlan {
  readonly baseUrl: string;
  readonly token: string;
  readonly practiceId: string;
  readonly body: string;
  /** `command`: create then confirm, per connection in turn; `trivial`: the validate route. */
  readonly route: 'command' | 'trivial';
  readonly connections: number;
  readonly durationMs: number;
  /** Requests per second over all connections; unset: each connection sends as soon as it has its answer. */
  readonly rate?: number;
}

/** What the load generator saw; every response counts as one request. */
export interface LoadReport {
  readonly responses: number;
  readonly elapsedMs: number;
  readonly latenciesMs: readonly number[];
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Status and body of the first non-2xx response, to say why a run failed. */
  readonly firstFailure?: string;
}
