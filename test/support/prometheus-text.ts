/** One sample of the Prometheus text format: `name{a="1",b="2"} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Every sample of a scrape (comments and blank lines skipped); a line that is no sample throws. */
export const parsePrometheusText = (text: string): Sample[] =>
  text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const pairs = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)];
      return { name: match[1], labels: Object.fromEntries(pairs.map((m) => [m[1], m[2]])), value: Number(match[3]) };
    });

/** The value of the first sample named `name` with (at least) these labels. */
export const sampleValue = (
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
