import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `step` again and again: at once while it finds work, after `idleMs` when it finds none
 * or fails (a failure is logged; the next round tries again). `stop` waits for the round in flight.
 */
export class PollingLoop {
  private running?: Promise<void>;
  private stopping = false;
  private idle = new AbortController();
  /** Set when woken mid-round: the round after it runs at once, whatever this one found. */
  private woken = false;

  constructor(
    private readonly step: () => Promise<number>,
    private readonly idleMs: number,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Runs the next round now rather than after the idle wait (there is work the loop cannot see yet). */
  wake(): void {
    this.woken = true;
    this.idle.abort();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.idle.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      const found = await this.step().catch((error: unknown) => {
        this.log(`${String(error)}`);
        return 0;
      });
      if (found > 0 || this.woken || this.stopping) continue;
      this.idle = new AbortController();
      await sleep(this.idleMs, undefined, { signal: this.idle.signal }).catch(() => undefined);
    }
  }
}
