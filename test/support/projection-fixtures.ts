import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import type { Pool, PoolClient } from 'pg';
import { asyncFold } from '../../src/event-sourcing/projections/async-fold.projection.js';
import { asyncMap } from '../../src/event-sourcing/projections/async-map.projection.js';
import type { AsyncProjection } from '../../src/event-sourcing/projections/async-projection.js';
import type { SubscriptionOptions as AsyncProjectionOptions } from '../../src/event-sourcing/subscriptions/subscription.js';
import { streamKey, type NewEvent, type RecordedEvent, type StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';

/**
 * Test projections for the async projection runtime, used in-process by the integration
 * tests and from child worker processes (projection-worker.process.js compiles this file
 * into dist/test/support/ and imports it, so both run the very same definitions).
 *
 * - a map projection: one row per event in `test_event_log<suffix>`;
 * - a fold projection: per stream, how many events were applied and the last version, in
 *   `test_stream_counts<suffix>`. Its evolve refuses an event whose version is not the last
 *   one plus one, so an event applied twice, skipped or out of order fails loudly (it ends
 *   up as a dead letter instead of passing unseen).
 *
 * The map projection writes with ON CONFLICT DO NOTHING (that is what `asyncMap` does), so a
 * second application would not show in its table: the checkpoints' `events_applied`
 * counters (see `appliedCounts`) show it instead.
 */

export const TICKED = 'test.ticked';

export class Ticked {
  @IsString() label!: string;
}

export const testRegistry = (): EventRegistry => new EventRegistry().register({ type: TICKED, payload: Ticked });

/** A new `test.ticked` event, its id chosen here so tests can refer to it before it is stored. */
export const ticked = (label: string): NewEvent<Ticked> & { readonly eventId: string } => ({
  eventId: randomUUID(),
  type: TICKED,
  data: { label },
  metadata: { actor: { type: 'system', id: null } },
});

export const counterStream = (tenantId: string, id: string): StreamId => ({ tenantId, aggregateType: 'counter', aggregateId: id });

export interface FixtureOptions extends AsyncProjectionOptions {
  /** Appended to the projection names and their tables, so tests sharing a database stay apart. */
  readonly suffix?: string;
  /** While this returns true for an event, the handler throws on it (a poison event). */
  readonly failOn?: (event: RecordedEvent) => boolean;
}

export interface EventLogRow extends Record<string, unknown> {
  readonly event_id: string;
  readonly stream: string;
  readonly version: number;
  readonly position: number;
}

export interface StreamCountRow extends Record<string, unknown> {
  readonly stream: string;
  readonly applied: number;
  readonly last_version: number;
}

export const eventLogName = (suffix = ''): string => `test_event_log${suffix}`;
export const streamCountsName = (suffix = ''): string => `test_stream_counts${suffix}`;

const refuse = (options: FixtureOptions, event: RecordedEvent): void => {
  if (options.failOn?.(event)) throw new Error(`poison event ${event.eventId} (${String((event.data as Ticked).label)})`);
};

/** The map projection: one row per event. The projection is named like its table. */
export const eventLogProjection = (options: FixtureOptions = {}): AsyncProjection => {
  const name = eventLogName(options.suffix);
  return asyncMap<EventLogRow>(
    {
      name,
      handles: [TICKED],
      table: name,
      conflictColumns: ['event_id'],
      map: (event) => {
        refuse(options, event);
        return { event_id: event.eventId, stream: streamKey(event), version: event.version, position: event.position };
      },
    },
    options,
  );
};

/** The fold projection: per stream, events applied and last version, refusing any event out of order. */
export const streamCountsProjection = (options: FixtureOptions = {}): AsyncProjection => {
  const name = streamCountsName(options.suffix);
  return asyncFold<StreamCountRow>(
    {
      name,
      handles: [TICKED],
      table: name,
      keyColumns: ['stream'],
      keyOf: (event) => [streamKey(event)],
      evolve: (row, event) => {
        refuse(options, event);
        const last = row?.last_version ?? 0;
        if (event.version !== last + 1) {
          throw new Error(`stream ${streamKey(event)}: version ${event.version} applied after version ${last} (twice or out of order)`);
        }
        return { stream: streamKey(event), applied: (row?.applied ?? 0) + 1, last_version: event.version };
      },
    },
    options,
  );
};

export const testProjections = (options: FixtureOptions = {}): AsyncProjection[] => [
  eventLogProjection(options),
  streamCountsProjection(options),
];

/** Creates the read-model tables of `testProjections({ suffix })` (idempotent). */
export const createProjectionTables = async (pool: Pool, suffix = ''): Promise<void> => {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS ${eventLogName(suffix)} (
      event_id uuid PRIMARY KEY, stream text NOT NULL, version int NOT NULL, position bigint NOT NULL)`);
  await pool.query(`
    CREATE TABLE IF NOT EXISTS ${streamCountsName(suffix)} (
      stream text PRIMARY KEY, applied int NOT NULL, last_version int NOT NULL)`);
};

/**
 * The same projection, with `after` run inside the apply transaction once its writes are
 * done and before the checkpoint moves: where a crash or a failure hurts most.
 */
export const afterApply = (
  projection: AsyncProjection,
  after: (client: PoolClient, events: readonly RecordedEvent[]) => Promise<void>,
): AsyncProjection => ({
  ...projection,
  apply: async (client, events, tables) => {
    await projection.apply(client, events, tables);
    await after(client, events);
  },
});

/** Per stream, the number of `test.ticked` events and the highest version: what the fold must hold. */
export const expectedStreamCounts = async (pool: Pool, except: readonly string[] = []): Promise<StreamCountRow[]> =>
  (
    await pool.query<StreamCountRow>(
      `SELECT tenant_id || '/' || aggregate_type || '/' || aggregate_id AS stream, count(*)::int AS applied, max(version) AS last_version
       FROM events WHERE type = $1 AND NOT event_id = ANY($2::uuid[]) GROUP BY 1 ORDER BY 1`,
      [TICKED, except],
    )
  ).rows;

export const streamCounts = async (pool: Pool, suffix = ''): Promise<StreamCountRow[]> =>
  (await pool.query<StreamCountRow>(`SELECT stream, applied, last_version FROM ${streamCountsName(suffix)} ORDER BY stream`)).rows;

/** How many `test.ticked` events the store holds (but `except`). */
export const tickedCount = async (pool: Pool, except: readonly string[] = []): Promise<number> =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = $1 AND NOT event_id = ANY($2::uuid[])`, [TICKED, except]))
    .rows[0].n;

/** Every `test.ticked` event, as the map projection must hold it, ordered by event id. */
export const expectedEventLog = async (pool: Pool, except: readonly string[] = []): Promise<EventLogRow[]> =>
  (
    await pool.query<EventLogRow>(
      `SELECT event_id, tenant_id || '/' || aggregate_type || '/' || aggregate_id AS stream, version, position::float8 AS position
       FROM events WHERE type = $1 AND NOT event_id = ANY($2::uuid[]) ORDER BY event_id`,
      [TICKED, except],
    )
  ).rows;

export const eventLog = async (pool: Pool, suffix = ''): Promise<EventLogRow[]> =>
  (await pool.query<EventLogRow>(`SELECT event_id, stream, version, position::float8 AS position FROM ${eventLogName(suffix)} ORDER BY event_id`))
    .rows;

/** Events applied per projection, summed over its partitions' checkpoints. */
export const appliedCounts = async (pool: Pool): Promise<Record<string, number>> => {
  const { rows } = await pool.query<{ projection: string; applied: number }>(
    `SELECT projection, sum(events_applied)::int AS applied FROM projection_checkpoints GROUP BY projection`,
  );
  return Object.fromEntries(rows.map((row) => [row.projection, row.applied]));
};
