const MB = 1024 * 1024;

export interface RssReport {
  readonly startMb: number;
  readonly peakMb: number;
  readonly endMb: number;
}

/** Samples the process's resident set size while `work` runs (every 5 ms and at the ends). */
export const withRssSampling = async <T>(work: () => Promise<T>): Promise<{ result: T; rss: RssReport }> => {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await work();
    const end = process.memoryUsage.rss();
    peak = Math.max(peak, end);
    return { result, rss: { startMb: start / MB, peakMb: peak / MB, endMb: end / MB } };
  } finally {
    clearInterval(timer);
  }
};
