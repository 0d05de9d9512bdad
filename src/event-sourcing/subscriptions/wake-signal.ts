/** Lets many loops sleep until either a signal (a NOTIFY) or a timeout, whichever comes first. */
export class WakeSignal {
  private readonly waiters = new Set<() => void>();
  private fired = 0;

  /**
   * Where the signal is now: a loop takes it before looking for work and passes it to
   * `wait`, so a signal that came while it was busy is not lost.
   */
  mark(): number {
    return this.fired;
  }

  fire(): void {
    this.fired++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next signal or after `timeoutMs`; at once if there was a signal since `since`. */
  wait(timeoutMs: number, since?: number): Promise<void> {
    if (since !== undefined && since !== this.fired) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
    });
  }
}
