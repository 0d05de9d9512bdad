import { DEFAULT_READ_LIMIT, MAX_READ_LIMIT, } from './event-store.js';
import { ConcurrencyError, EventIdReused } from './event-store.errors.js';
import { expectedVersionCode } from './expected-version.js';
import { LOG_START } from './log-cursor.js';
import { prepareEvents } from './prepared-event.js';
import { RecordedEventMapper } from './recorded-event.mapper.js';
const COLUMNS = `position, event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
  data, metadata, occurred_at, recorded_at, transaction_id::text AS transaction_id`;
const SQL = {
    append: `SELECT * FROM chronicle_append($1, $2, $3, $4, $5)`,
    streamVersion: `SELECT coalesce(max(version), 0)::integer AS version FROM events
    WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3`,
    byEventIds: `SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY position`,
    streamForward: `SELECT ${COLUMNS} FROM events
    WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3
      AND version BETWEEN $4 AND $5 AND recorded_at <= $6
    ORDER BY version LIMIT $7`,
    streamBackward: `SELECT ${COLUMNS} FROM events
    WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3
      AND version <= $4 AND recorded_at <= $5
    ORDER BY version DESC LIMIT $6`,
    // Both log reads stop below the oldest open transaction: see LogCursor.
    byType: `SELECT ${COLUMNS} FROM events
    WHERE tenant_id = $1 AND type = $2 AND (transaction_id, position) > ($3::text::xid8, $4::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY transaction_id, position LIMIT $5`,
    all: `SELECT ${COLUMNS} FROM events
    WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY transaction_id, position LIMIT $3`,
};
const UNIQUE_VIOLATION = '23505';
const MAX_VERSION = 2_147_483_647;
const clampLimit = (limit, fallback) => {
    if (limit === undefined)
        return fallback;
    return Math.max(1, Math.min(MAX_READ_LIMIT, Math.trunc(limit)));
};
/**
 * The PostgreSQL event store. Each append is one statement (one round trip, one implicit
 * transaction) unless the caller passes its own transaction through `appendWithin`.
 */
export class PostgresEventStore {
    pool;
    registry;
    mapper;
    constructor(pool, registry) {
        this.pool = pool;
        this.registry = registry;
        this.mapper = new RecordedEventMapper(registry);
    }
    async append(stream, events, options = {}) {
        const prepared = prepareEvents(this.registry, stream, events);
        // A checked-out client survives a failed statement; pool.query() would discard it.
        const client = await this.pool.connect();
        try {
            return await this.appendPrepared(client, stream, prepared, options.expectedVersion ?? 'any', true);
        }
        finally {
            client.release();
        }
    }
    /**
     * Appends inside a transaction the caller has opened on `client` (e.g. to commit inline
     * projections with the events). A lost race aborts that transaction: the caller rolls
     * back and may retry the whole unit of work.
     */
    async appendWithin(client, stream, events, options = {}) {
        const prepared = prepareEvents(this.registry, stream, events);
        return this.appendPrepared(client, stream, prepared, options.expectedVersion ?? 'any', false);
    }
    async readStream(stream, options = {}) {
        const until = options.until ?? 'infinity';
        const limit = clampLimit(options.limit, null);
        const keys = [stream.tenantId, stream.aggregateType, stream.aggregateId];
        const result = options.direction === 'backward'
            ? await this.pool.query(SQL.streamBackward, [...keys, options.fromVersion ?? MAX_VERSION, until, limit])
            : await this.pool.query(SQL.streamForward, [
                ...keys,
                options.fromVersion ?? 1,
                options.toVersion ?? MAX_VERSION,
                until,
                limit,
            ]);
        return result.rows.map((row) => this.mapper.toRecorded(row));
    }
    async streamVersion(stream) {
        const result = await this.pool.query(SQL.streamVersion, [
            stream.tenantId,
            stream.aggregateType,
            stream.aggregateId,
        ]);
        return result.rows[0].version;
    }
    async readByType(tenantId, type, options = {}) {
        const after = options.after ?? LOG_START;
        const result = await this.pool.query(SQL.byType, [
            tenantId,
            type,
            after.transactionId,
            after.position,
            clampLimit(options.limit, DEFAULT_READ_LIMIT),
        ]);
        return result.rows.map((row) => this.mapper.toRecorded(row));
    }
    async readAll(options = {}) {
        const after = options.after ?? LOG_START;
        const result = await this.pool.query(SQL.all, [
            after.transactionId,
            after.position,
            clampLimit(options.limit, DEFAULT_READ_LIMIT),
        ]);
        const events = result.rows.map((row) => this.mapper.toRecorded(row));
        const last = events.at(-1);
        return { events, cursor: last ? { transactionId: last.transactionId, position: last.position } : after };
    }
    async appendPrepared(client, stream, events, expected, retryRaces) {
        const values = [
            stream.tenantId,
            stream.aggregateType,
            stream.aggregateId,
            expectedVersionCode(expected),
            JSON.stringify(events),
        ];
        // `any` must not fail because another writer took the next version first: retry it.
        for (let attempt = 1;; attempt++) {
            let rows;
            try {
                rows = (await client.query({ name: 'chronicle_append', text: SQL.append, values })).rows;
            }
            catch (error) {
                if (error.code !== UNIQUE_VIOLATION || !retryRaces)
                    throw error;
                const duplicate = await this.storedDuplicate(client, stream, events);
                if (duplicate)
                    return duplicate;
                if (expected === 'any' && attempt < 10)
                    continue;
                throw new ConcurrencyError(stream, expected, await this.versionOn(client, stream));
            }
            const first = rows[0];
            if (first.r_outcome === 'conflict')
                throw new ConcurrencyError(stream, expected, first.r_stream_version ?? 0);
            if (first.r_outcome === 'duplicate') {
                const duplicate = await this.storedDuplicate(client, stream, events);
                if (!duplicate)
                    throw new EventIdReused(events.map((e) => e.eventId));
                return duplicate;
            }
            return {
                nextExpectedVersion: first.r_stream_version ?? 0,
                duplicate: false,
                events: rows.map((row, index) => this.mapper.fromAppend(stream, events[index], {
                    position: Number(row.r_position),
                    version: row.r_version ?? 0,
                    recordedAt: row.r_recorded_at ?? new Date(),
                    transactionId: row.r_transaction_id ?? '0',
                })),
            };
        }
    }
    /** The stored events of a retried append, if every id is stored on this stream with the same type. */
    async storedDuplicate(client, stream, events) {
        const ids = events.map((e) => e.eventId);
        const stored = (await client.query(SQL.byEventIds, [ids])).rows;
        const byId = new Map(stored.map((row) => [row.event_id, row]));
        const matches = events.every((event) => {
            const row = byId.get(event.eventId);
            return (row !== undefined &&
                row.type === event.type &&
                row.tenant_id === stream.tenantId &&
                row.aggregate_type === stream.aggregateType &&
                row.aggregate_id === stream.aggregateId);
        });
        if (!matches)
            return null;
        const recorded = ids.map((id) => this.mapper.toRecorded(byId.get(id)));
        return { nextExpectedVersion: Math.max(...recorded.map((e) => e.version)), duplicate: true, events: recorded };
    }
    async versionOn(client, stream) {
        const result = await client.query(SQL.streamVersion, [
            stream.tenantId,
            stream.aggregateType,
            stream.aggregateId,
        ]);
        return result.rows[0].version;
    }
}
//# sourceMappingURL=postgres-event-store.js.map