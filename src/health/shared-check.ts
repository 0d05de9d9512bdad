/**
 * Runs a check at most once at a time: callers that ask while it runs share its answer. A
 * flood of unauthenticated probes then holds at most one of the pool's connections, not one
 * each, so it cannot starve the requests the pool serves. Nothing is kept once the check
 * ends: the next probe asks afresh, so readiness follows the database at once.
 */
export class SharedCheck<T> {
  private running: Promise<T> | null = null;

  constructor(private readonly check: () => Promise<T>) {}

  run(): Promise<T> {
    if (this.running) return this.running;
    const running = this.check().finally(() => {
      this.running = null;
    });
    this.running = running;
    return running;
  }
}
