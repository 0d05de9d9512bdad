import type { Pool } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';
import type { PersonalData } from '../personal-data/personal-data.js';
import type { EventRegistry } from '../store/event-registry.js';
import type { LogCursor } from '../store/log-cursor.js';
import { epochMsSql, RecordedEventMapper, type EventRowArray } from '../store/recorded-event.mapper.js';
import { partitionSql } from './partition.js';
import type { PersonalFieldsView } from '../personal-data/personal-fields.js';

/** What a subscription's partitions read: its event types, in streams of the partitions this worker runs. */
export interface PartitionFilter {
  readonly types: readonly string[];
  /** The subscription's partition count. */
  readonly partitions: number;
  /** The partitions one read serves (this worker's slots of the subscription yet to pass its start): they share its page. */
  readonly served: readonly number[];
  /** How the events' personal fields are handed over: the subscription's `personalFields`. */
  readonly personalFields: PersonalFieldsView;
}

export interface PartitionPage {
  /** The partition's events, in log order. */
  readonly events: readonly RecordedEvent[];
  /** The last row scanned, the partition's or not: the checkpoint moves here. Unchanged when nothing was scanned. */
  readonly cursor: LogCursor;
  /** True when the read stopped at its limit rather than at the end of the readable log. */
  readonly full: boolean;
  /**
   * True once a subject was forgotten after this page's personal fields were opened: handed
   * over now, a forgotten subject's data could go out after the forgetting answered. Read the
   * page again. (Absent: nothing was opened.)
   */
  readonly outdated?: () => boolean;
}

/** How a subscription worker reads the global log. */
export interface SubscriptionLog {
  /** The events of `partition` among the next `scanLimit` rows of the log after `after`. */
  readPartition(filter: PartitionFilter, partition: number, after: LogCursor, scanLimit: number): Promise<PartitionPage>;
}

// The same order and fence as EventStore.readAll: (transaction_id, position), below the oldest
// open transaction. Rows of other types or partitions come back without their payload, only
// for the cursor of the last one. Times come as epoch milliseconds, as the store's reads take them.
// A row's partition is computed once (a hash of its stream): `$5` maps each partition to itself
// when the read serves it, else to null, so one subscript both filters and names it; a test of
// `partition = ANY(…)` computed the hash a second time, ~0.25 µs of PostgreSQL CPU a row.
const PART = `CASE WHEN type = ANY($3::text[]) THEN ($5::int[])[${partitionSql('$4')} + 1] END`;
const epochMs = (column: string) => `CASE WHEN part IS NOT NULL THEN ${epochMsSql(column)} END`;
// The columns of the store's reads (EVENT_ROW_COLUMNS, so rows map alike), then the partition.
const READ_PAGE = `
  SELECT position,
         CASE WHEN part IS NOT NULL THEN event_id END,
         CASE WHEN part IS NOT NULL THEN version END,
         CASE WHEN part IS NOT NULL THEN type END,
         CASE WHEN part IS NOT NULL THEN schema_version END,
         CASE WHEN part IS NOT NULL THEN data END,
         CASE WHEN part IS NOT NULL THEN metadata END,
         ${epochMs('occurred_at')}, ${epochMs('recorded_at')},
         transaction_id::text,
         CASE WHEN part IS NOT NULL THEN tenant_id END,
         CASE WHEN part IS NOT NULL THEN aggregate_type END,
         CASE WHEN part IS NOT NULL THEN aggregate_id END,
         part
  FROM (
    SELECT events.*, ${PART} AS part
    FROM events
    WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY events.transaction_id, events.position LIMIT $6
  ) page`;

/** A row of READ_PAGE: a row of the store's reads (its payload null for the rows the partitions do not take), and the partition. */
type PageRow = [...EventRowArray, partition: number | null];
const TRANSACTION_ID = 9;
const PARTITION = 13;

interface SharedPage {
  readonly byPartition: ReadonlyMap<number, RecordedEvent[]>;
  readonly cursor: LogCursor;
  readonly full: boolean;
  readonly outdated?: () => boolean;
}

interface KeptPage {
  readonly page: Promise<SharedPage>;
  /** The partitions whose events it holds. */
  readonly served: ReadonlySet<number>;
  /** The served partitions that have not taken their events yet. */
  readonly waiting: Set<number>;
}

const pick = ({ byPartition, cursor, full, outdated }: SharedPage, partition: number): PartitionPage => ({
  events: byPartition.get(partition) ?? [],
  cursor,
  full,
  outdated,
});

/** Partition → itself when `filter` serves it, else null: the read's `$5`. */
const servedMap = ({ partitions, served }: PartitionFilter): (number | null)[] =>
  Array.from({ length: partitions }, (_, partition) => (served.includes(partition) ? partition : null));

/** At most this many pages are kept for partitions that have not taken them yet (a slow one reads its own again). */
const PAGES_KEPT = 4;

/**
 * Reads the log for subscription workers. The type and partition filter runs in PostgreSQL, and
 * one read serves all of this worker's partitions of a subscription: they page the log in the
 * same steps, so each event is read and parsed once, not once per partition. A page is kept
 * until every partition it serves has taken its events (a few pages at most); a partition it
 * was not read for (one that had passed its start, or was not running) reads its own.
 */
export class PostgresSubscriptionLog implements SubscriptionLog {
  private readonly mapper: RecordedEventMapper;
  private readonly pages = new Map<string, KeptPage>();

  constructor(
    private readonly pool: Pool,
    registry: EventRegistry,
    personalData?: PersonalData,
  ) {
    this.mapper = new RecordedEventMapper(registry, personalData);
  }

  async readPartition(filter: PartitionFilter, partition: number, after: LogCursor, scanLimit: number): Promise<PartitionPage> {
    // A page opened before a forgetting is not kept for partitions that read after it.
    const opened = filter.personalFields === 'opened' ? this.mapper.personalDataEpoch() : '';
    // Opened while forgettings may go unheard: kept for no one.
    if (opened === null) return pick(await this.readPage({ ...filter, served: [partition] }, after, scanLimit), partition);
    const key = [filter.types.join(','), filter.partitions, opened, after.transactionId, after.position, scanLimit].join('|');
    let kept = this.pages.get(key);
    // A page read for other partitions lacks this one's events: it reads its own, kept for no one.
    if (kept && !kept.served.has(partition)) return pick(await this.readPage({ ...filter, served: [partition] }, after, scanLimit), partition);
    if (!kept) {
      kept = { page: this.readPage(filter, after, scanLimit), served: new Set(filter.served), waiting: new Set(filter.served) };
      this.keep(key, kept);
    }
    // Taken: dropped once every served partition has its events, so pages do not outlive their use.
    kept.waiting.delete(partition);
    if (kept.waiting.size === 0) this.forget(key, kept);
    return pick(await kept.page, partition);
  }

  private keep(key: string, kept: KeptPage): void {
    this.pages.set(key, kept);
    if (this.pages.size > PAGES_KEPT) this.pages.delete(this.pages.keys().next().value!);
    // Only full pages are kept once read: one cut short by the head or the fence may be longer when read again.
    kept.page.then(
      (read) => read.full || this.forget(key, kept),
      () => this.forget(key, kept),
    );
  }

  private forget(key: string, kept: KeptPage): void {
    if (this.pages.get(key) === kept) this.pages.delete(key);
  }

  private async readPage(filter: PartitionFilter, after: LogCursor, scanLimit: number): Promise<SharedPage> {
    // Before the keys are looked up: a forgetting heard from here on may have come too late for them.
    const evictions = this.mapper.personalDataEvictions();
    const { rows } = await this.pool.query<PageRow>({
      name: 'chronicle_read_partitions',
      text: READ_PAGE,
      values: [after.transactionId, after.position, filter.types, filter.partitions, servedMap(filter), scanLimit],
      rowMode: 'array',
    });
    const handled = rows.filter((row) => row[PARTITION] !== null);
    const recorded = await this.mapper.recordedOfArrays(handled, filter.personalFields);
    const byPartition = new Map<number, RecordedEvent[]>();
    for (let index = 0; index < handled.length; index++) {
      const partition = handled[index][PARTITION]!;
      let events = byPartition.get(partition);
      if (!events) byPartition.set(partition, (events = []));
      events.push(recorded[index]);
    }
    const last = rows.at(-1);
    return {
      byPartition,
      cursor: last ? { transactionId: last[TRANSACTION_ID], position: Number(last[0]) } : after,
      full: rows.length >= scanLimit,
      outdated:
        filter.personalFields === 'opened' && handled.length > 0 ? () => this.mapper.personalDataEvictions() !== evictions : undefined,
    };
  }
}
