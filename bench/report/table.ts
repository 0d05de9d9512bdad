import type { WorkloadResult } from '../workloads/workload.js';
import { cpuLine } from './cpu.js';
import { targetP99Ms, targetRatio } from './targets.js';

const HEADER = ['workload', 'counts', 'store /s', 'raw /s', 'ratio store/raw', 'store p50/p99 ms', 'raw p50/p99 ms'];
/** What `store` and `raw` stand for beyond the event-store rows, printed under the table. */
const LEGEND =
  'store = the system under test, raw = its baseline in the same run: the event store API vs plain SQL; ' +
  'for http_create_confirm the create+confirm routes vs the no-database validate route; ' +
  'for projection_catchup_* the projection worker catching up vs a plain SELECT paging the same log; ' +
  'for relay_throughput the relay subscription vs a plain amqplib confirm-channel publisher; ' +
  'for saga_reaction_latency (no baseline of the same work) the saga reaction vs two plain INSERTs in a row, ' +
  '/s = 1 / mean latency';

const rate = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));

const row = (result: WorkloadResult): string[] => [
  result.name,
  `${result.unit ?? 'event'}s`,
  rate(result.store.eventsPerS),
  rate(result.raw.eventsPerS),
  (result.store.eventsPerS / result.raw.eventsPerS).toFixed(2),
  `${ms(result.store.p50Ms)} / ${ms(result.store.p99Ms)}`,
  `${ms(result.raw.p50Ms)} / ${ms(result.raw.p99Ms)}`,
];

const targetLine = (result: WorkloadResult): string | undefined => {
  const ceiling = targetP99Ms(result.name);
  if (ceiling !== undefined) {
    const p99 = result.store.p99Ms;
    return `${result.name}: p99 ${ms(p99)} ms vs target <= ${ceiling} ms -> ${p99 <= ceiling ? 'met' : 'MISSED'}`;
  }
  const target = targetRatio(result.name);
  if (target === undefined) return undefined;
  const ratio = result.store.eventsPerS / result.raw.eventsPerS;
  return `${result.name}: ratio ${ratio.toFixed(2)} vs target >= ${target} -> ${ratio >= target ? 'met' : 'MISSED'}`;
};

const pad = (cell: string, width: number, column: number): string =>
  column === 0 ? cell.padEnd(width) : cell.padStart(width);

/** The result table (Markdown pipes, aligned), then the notes, CPU costs and target checks. */
export const renderTable = (results: readonly WorkloadResult[]): string => {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => pad(cell, widths[column], column)).join(' | ')} |`;
  // Left-aligned name column, right-aligned figures.
  const dashes = widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`));
  const rule = `|${dashes.join('|')}|`;
  const table = [line(HEADER), rule, ...rows.slice(1).map(line)];
  const notes = results.flatMap((result) => result.notes);
  const targets = results.map(targetLine).filter((text): text is string => text !== undefined);
  return [...table, '', LEGEND, ...notes, ...results.map(cpuLine), ...targets, ''].join('\n');
};
