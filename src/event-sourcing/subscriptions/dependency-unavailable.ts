/**
 * Thrown by a subscription's `handle` when something it needs outside PostgreSQL (a broker, a
 * mail server) is down. Not the event's fault: the engine rolls the batch back, waits with a
 * growing delay and tries the same events again, for as long as it takes. It never counts such
 * a failure towards `maxAttempts`, so no event is dead-lettered, stopped at or skipped for it.
 */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: string,
    reason: string,
  ) {
    super(`${dependency} is unavailable: ${reason}`);
    this.name = 'DependencyUnavailable';
  }
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/** How long to wait before the `failures`-th try after a dependency went down: doubling, capped. */
export const unavailableBackoffMs = (failures: number): number => Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failures - 1));
