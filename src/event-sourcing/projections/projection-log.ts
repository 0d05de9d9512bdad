import type { Pool } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';
import type { EventRegistry } from '../store/event-registry.js';
import type { LogCursor } from '../store/log-cursor.js';
import { RecordedEventMapper, type EventRow } from '../store/recorded-event.mapper.js';
import { partitionSql } from './partition.js';

/** What a projection's partitions read: its event types, in streams of the partitions this worker runs. */
export interface PartitionFilter {
  readonly types: readonly string[];
  /** The projection's partition count. */
  readonly partitions: number;
  /** The partitions one read serves (this worker's slots of the projection): they share its pages. */
  readonly served: readonly number[];
}

export interface PartitionPage {
  /** The partition's events, in log order. */
  readonly events: readonly RecordedEvent[];
  /** The last row scanned, the partition's or not: the checkpoint moves here. Unchanged when nothing was scanned. */
  readonly cursor: LogCursor;
  /** True when the read stopped at its limit rather than at the end of the readable log. */
  readonly full: boolean;
}

/** How a projection worker reads the global log. */
export interface ProjectionLog {
  /** The events of `partition` among the next `scanLimit` rows of the log after `after`. */
  readPartition(filter: PartitionFilter, partition: number, after: LogCursor, scanLimit: number): Promise<PartitionPage>;
}

// The same order and fence as EventStore.readAll: (transaction_id, position), below the oldest
// open transaction. Rows of other types or partitions come back without their payload, only
// for the cursor of the last one.
const HANDLED = `type = ANY($3::text[]) AND ${partitionSql('$4')} = ANY($5::int[])`;
const READ_PAGE = `
  SELECT position, transaction_id::text AS transaction_id, part AS partition,
         CASE WHEN part IS NOT NULL THEN event_id END AS event_id,
         CASE WHEN part IS NOT NULL THEN tenant_id END AS tenant_id,
         CASE WHEN part IS NOT NULL THEN aggregate_type END AS aggregate_type,
         CASE WHEN part IS NOT NULL THEN aggregate_id END AS aggregate_id,
         CASE WHEN part IS NOT NULL THEN version END AS version,
         CASE WHEN part IS NOT NULL THEN type END AS type,
         CASE WHEN part IS NOT NULL THEN schema_version END AS schema_version,
         CASE WHEN part IS NOT NULL THEN data END AS data,
         CASE WHEN part IS NOT NULL THEN metadata END AS metadata,
         CASE WHEN part IS NOT NULL THEN occurred_at END AS occurred_at,
         CASE WHEN part IS NOT NULL THEN recorded_at END AS recorded_at
  FROM (
    SELECT events.*, CASE WHEN ${HANDLED} THEN ${partitionSql('$4')} END AS part
    FROM events
    WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY events.transaction_id, events.position LIMIT $6
  ) page`;

interface PageRow extends EventRow {
  partition: number | null;
}

interface SharedPage {
  readonly byPartition: ReadonlyMap<number, RecordedEvent[]>;
  readonly cursor: LogCursor;
  readonly full: boolean;
}

/** Pages kept for the partitions that have not read them yet; each is at most one read's rows. */
const PAGES_KEPT = 8;

/**
 * Reads the log for projection workers. The type and partition filter runs in PostgreSQL, and
 * one read serves all of this worker's partitions of a projection: they page the log in the
 * same steps, so each event is read and parsed once, not once per partition. A page is kept
 * until the other partitions have read it (a few at most); only full pages are kept, as a
 * page cut short by the head or the read fence may be longer when read again.
 */
export class PostgresProjectionLog implements ProjectionLog {
  private readonly mapper: RecordedEventMapper;
  private readonly pages = new Map<string, Promise<SharedPage>>();

  constructor(
    private readonly pool: Pool,
    registry: EventRegistry,
  ) {
    this.mapper = new RecordedEventMapper(registry);
  }

  async readPartition(filter: PartitionFilter, partition: number, after: LogCursor, scanLimit: number): Promise<PartitionPage> {
    const key = [filter.types.join(','), filter.partitions, filter.served.join(','), after.transactionId, after.position, scanLimit].join('|');
    let page = this.pages.get(key);
    if (!page) {
      page = this.readPage(filter, after, scanLimit);
      this.keep(key, page);
    }
    const { byPartition, cursor, full } = await page;
    return { events: byPartition.get(partition) ?? [], cursor, full };
  }

  private keep(key: string, page: Promise<SharedPage>): void {
    this.pages.set(key, page);
    if (this.pages.size > PAGES_KEPT) this.pages.delete(this.pages.keys().next().value!);
    const forget = () => {
      if (this.pages.get(key) === page) this.pages.delete(key);
    };
    page.then((read) => {
      if (!read.full) forget();
    }, forget);
  }

  private async readPage(filter: PartitionFilter, after: LogCursor, scanLimit: number): Promise<SharedPage> {
    const { rows } = await this.pool.query<PageRow>({
      name: 'chronicle_read_partitions',
      text: READ_PAGE,
      values: [after.transactionId, after.position, filter.types, filter.partitions, filter.served, scanLimit],
    });
    const byPartition = new Map<number, RecordedEvent[]>();
    for (const row of rows) {
      if (row.partition === null) continue;
      let events = byPartition.get(row.partition);
      if (!events) byPartition.set(row.partition, (events = []));
      events.push(this.mapper.toRecorded(row));
    }
    const last = rows.at(-1);
    return {
      byPartition,
      cursor: last ? { transactionId: last.transaction_id, position: Number(last.position) } : after,
      full: rows.length >= scanLimit,
    };
  }
}
