import type { Summary } from '../harness/sample.js';
import type { WorkloadResult } from '../workloads/workload.js';
import { cpuLine } from './cpu.js';
import { targetP99Ms, targetRatio, targetRatioMinimal } from './targets.js';

const HEADER = [
  'workload',
  'counts',
  'store /s',
  'raw /s',
  'minimal /s',
  'ratio (raw)',
  'ratio (minimal)',
  'store p50/p99 ms',
  'raw p50/p99 ms',
  'minimal p50/p99 ms',
];
/** What `store`, `raw` and `minimal` stand for beyond the event-store rows, printed under the table. */
const LEGEND =
  'store = the system under test, raw = its baseline in the same run: the event store API vs plain SQL on a table ' +
  'mirroring `events` (raw_events); minimal = plain SQL on the minimal event table (minimal_events: id, stream, ' +
  'version, type, data, metadata, position), for the event-store workloads; ' +
  '*_order workloads write order.placed (1-20 nested lines), the others the flat bench.item_added; ' +
  'for http_create_confirm raw is the no-database validate route; ' +
  'for projection_catchup_* the projection worker catching up vs a plain SELECT paging the same log; ' +
  'for relay_throughput the relay subscription vs a plain amqplib confirm-channel publisher; ' +
  'for saga_reaction_latency (no baseline of the same work) the saga reaction vs two plain INSERTs in a row, ' +
  '/s = 1 / mean latency';

const rate = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const latency = (summary: Summary | undefined): string =>
  summary === undefined ? '' : `${ms(summary.p50Ms)} / ${ms(summary.p99Ms)}`;
const ratio = (store: Summary, baseline: Summary | undefined): string =>
  baseline === undefined ? '' : (store.eventsPerS / baseline.eventsPerS).toFixed(2);

const row = (result: WorkloadResult): string[] => [
  result.name,
  `${result.unit ?? 'event'}s`,
  rate(result.store.eventsPerS),
  rate(result.raw.eventsPerS),
  result.minimal === undefined ? '' : rate(result.minimal.eventsPerS),
  ratio(result.store, result.raw),
  ratio(result.store, result.minimal),
  latency(result.store),
  latency(result.raw),
  latency(result.minimal),
];

const ratioCheck = (name: string, against: string, value: number, target: number): string =>
  `${name}: ratio (${against}) ${value.toFixed(2)} vs target >= ${target} -> ${value >= target ? 'met' : 'MISSED'}`;

const targetLines = (result: WorkloadResult): string[] => {
  const ceiling = targetP99Ms(result.name);
  if (ceiling !== undefined) {
    const p99 = result.store.p99Ms;
    return [`${result.name}: p99 ${ms(p99)} ms vs target <= ${ceiling} ms -> ${p99 <= ceiling ? 'met' : 'MISSED'}`];
  }
  const lines: string[] = [];
  const target = targetRatio(result.name);
  if (target !== undefined) {
    lines.push(ratioCheck(result.name, 'raw', result.store.eventsPerS / result.raw.eventsPerS, target));
  }
  const targetMinimal = targetRatioMinimal(result.name);
  if (targetMinimal !== undefined && result.minimal !== undefined) {
    lines.push(ratioCheck(result.name, 'minimal', result.store.eventsPerS / result.minimal.eventsPerS, targetMinimal));
  }
  return lines;
};

/** The payload a workload wrote and its mean size; one line per payload under the table. */
const payloadLine = ({ extra }: WorkloadResult): string[] =>
  extra.payload === undefined
    ? []
    : [`${extra.payload} payload: mean JSON data ${extra.data_bytes_mean} B, metadata ${extra.metadata_bytes_mean} B`];

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
  const shapes = new Set(results.flatMap(payloadLine));
  const targets = results.flatMap(targetLines);
  return [...table, '', LEGEND, ...notes, ...shapes, ...results.map(cpuLine), ...targets, ''].join('\n');
};
