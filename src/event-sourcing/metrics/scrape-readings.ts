import { Counter, Gauge, type Registry } from 'prom-client';

/** What a gauge shows of a reading: its series, as label values and a number. */
export type Series = readonly { readonly labels: Record<string, string>; readonly value: number }[];

/**
 * Readings taken at scrape time (prom-client calls every metric's `collect()` at once) and the
 * gauges that show them. One reading serves all the gauges of its family, so a family costs one
 * query per scrape. A failed reading is logged and counted once, and its gauges show no series
 * that scrape: a stale number would pass for a current one, while an absent series can be alerted on,
 * and the rest of the scrape still answers.
 */
export class ScrapeReadings {
  private readonly failures: Counter<'family'>;
  /** Readings run one after another: a scrape takes one connection from the app's pool, not one per family. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly registry: Registry,
    private readonly log: (message: string) => void,
  ) {
    this.failures = new Counter({
      name: 'chronicle_metrics_scrape_failures_total',
      help: 'Scrape-time readings that failed (their gauges were left out of that scrape), by family',
      labelNames: ['family'],
      registers: [registry],
    });
  }

  /**
   * `read` once per scrape however many gauges ask; `undefined` when it failed (counted in the
   * failures counter, which shows it from the next scrape on: its value is taken as the scrape starts).
   * A read starts a turn after it is asked for at the earliest, so gauges read from memory in the same
   * scrape (the pool's) see the app as it was, not the scrape's own queries.
   */
  reading<T>(family: string, read: () => Promise<T>): () => Promise<T | undefined> {
    let inFlight: Promise<T | undefined> | null = null;
    const readInTurn = (): Promise<T | undefined> => {
      const result = this.queue
        .then(read)
        .catch((error: unknown) => {
          this.failures.inc({ family });
          const reason = error instanceof Error ? error.message : String(error);
          this.log(`metrics: reading ${family} failed, left out of this scrape: ${reason}`);
          return undefined;
        })
        .finally(() => {
          inFlight = null;
        });
      this.queue = result;
      return result;
    };
    return () => (inFlight ??= readInTurn());
  }

  /** A gauge filled from `reading` at each scrape; every series it showed before is dropped first. */
  gauge<T>(
    config: { readonly name: string; readonly help: string; readonly labelNames: readonly string[] },
    reading: () => Promise<T | undefined>,
    seriesOf: (value: T) => Series,
  ): Gauge {
    return new Gauge({
      ...config,
      registers: [this.registry],
      async collect() {
        const value = await reading();
        this.reset();
        if (value === undefined) return;
        for (const { labels, value: number } of seriesOf(value)) this.set(labels, number);
      },
    });
  }
}
