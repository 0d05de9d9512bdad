import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { isStorableText, PG_POOL_TOKEN, type StreamId } from '../event-sourcing/index.js';

/** A stream as the directory lists it: its key, how many events it holds, when it last moved. */
export interface StreamSummary extends StreamId {
  readonly version: number;
  readonly lastRecordedAt: string;
}

export interface StreamFilter {
  readonly tenantId?: string;
  readonly aggregateType?: string;
  /** Streams whose aggregate id starts with this text (taken literally: no wildcards). */
  readonly idPrefix?: string;
  /** Continue after this stream, in key order. */
  readonly after?: StreamId;
  readonly limit: number;
}

export interface StreamPage {
  readonly streams: readonly StreamSummary[];
  /** The last stream of a full page, for `after`; null when there is no more. */
  readonly next: StreamId | null;
}

interface SummaryRow {
  readonly tenant_id: string;
  readonly aggregate_type: string;
  readonly aggregate_id: string;
  readonly version: number;
  readonly last_recorded_at: Date;
}

/**
 * Which streams and tenants exist, for operators: SQL on the events table's key columns and
 * metadata only. No event data is read here: what an event holds is read through the event
 * store (readStream, findEvent, readCorrelation), which decides how it is shown.
 */
@Injectable()
export class StreamDirectory {
  constructor(@Inject(PG_POOL_TOKEN) private readonly pool: Pool) {}

  /**
   * Streams in key order (tenant, aggregate type, aggregate id): a walk of the stream key's
   * unique index, grouped as it goes, so a page costs its own streams' events, not the log's.
   */
  async list(filter: StreamFilter): Promise<StreamPage> {
    const { rows } = await this.pool.query<SummaryRow>(
      `SELECT tenant_id, aggregate_type, aggregate_id, max(version) AS version, max(recorded_at) AS last_recorded_at
       FROM events
       WHERE ($1::text IS NULL OR tenant_id = $1)
         AND ($2::text IS NULL OR aggregate_type = $2)
         AND ($3::text IS NULL OR starts_with(aggregate_id, $3))
         AND ($4::text IS NULL OR (tenant_id, aggregate_type, aggregate_id) > ($4::text, $5::text, $6::text))
       GROUP BY tenant_id, aggregate_type, aggregate_id
       ORDER BY tenant_id, aggregate_type, aggregate_id
       LIMIT $7`,
      [
        filter.tenantId ?? null,
        filter.aggregateType ?? null,
        filter.idPrefix ?? null,
        filter.after?.tenantId ?? null,
        filter.after?.aggregateType ?? null,
        filter.after?.aggregateId ?? null,
        filter.limit,
      ],
    );
    const streams = rows.map((row) => ({
      tenantId: row.tenant_id,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      version: row.version,
      lastRecordedAt: row.last_recorded_at.toISOString(),
    }));
    const last = streams.at(-1);
    const next = streams.length === filter.limit && last ? { tenantId: last.tenantId, aggregateType: last.aggregateType, aggregateId: last.aggregateId } : null;
    return { streams, next };
  }

  /**
   * The tenants with an event carrying this correlation id, at most `limit`. One probe of the
   * (tenant, correlation id) index per tenant, the tenants found by skipping through the
   * stream key's index (a loose index scan), so no scan of the log's metadata.
   */
  async tenantsOfCorrelation(correlationId: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(
      `WITH RECURSIVE tenants AS (
         (SELECT tenant_id FROM events ORDER BY tenant_id LIMIT 1)
         UNION ALL
         SELECT (SELECT e.tenant_id FROM events e WHERE e.tenant_id > t.tenant_id ORDER BY e.tenant_id LIMIT 1)
         FROM tenants t WHERE t.tenant_id IS NOT NULL
       )
       SELECT t.tenant_id FROM tenants t
       WHERE t.tenant_id IS NOT NULL
         AND EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = t.tenant_id AND e.metadata->>'correlationId' = $1)
       ORDER BY t.tenant_id
       LIMIT $2`,
      [correlationId, limit],
    );
    return rows.map((row) => row.tenant_id);
  }
}

/** A page's place, opaque to callers: the last stream's key as base64url JSON. */
export const encodeStreamCursor = (stream: StreamId): string =>
  Buffer.from(JSON.stringify([stream.tenantId, stream.aggregateType, stream.aggregateId])).toString('base64url');

const MAX_KEY_LENGTH = 1024;

/** The stream a cursor names, or null when it is none this API returned. */
export const decodeStreamCursor = (cursor: string): StreamId | null => {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const isKeyPart = (value: unknown): value is string =>
    typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH && isStorableText(value);
  if (!Array.isArray(key) || key.length !== 3 || !key.every(isKeyPart)) return null;
  const [tenantId, aggregateType, aggregateId] = key as [string, string, string];
  return { tenantId, aggregateType, aggregateId };
};
