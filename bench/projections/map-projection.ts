import type { Pool } from 'pg';
import { reservationEventTypes } from '../../src/contexts/reservations/infrastructure/reservation.event-schemas.js';
import { asyncMap } from '../../src/event-sourcing/projections/async-map.projection.js';
import type { AsyncProjection } from '../../src/event-sourcing/projections/async-projection.js';
import type { RecordedEvent } from '../../src/event-sourcing/store/event-envelope.js';

export const MAP_TABLE = 'bench_event_map';

/** The map projection's read model: one row per event, keyed by the event id. */
export const createMapTable = async (pool: Pool): Promise<void> => {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS ${MAP_TABLE} (
      event_id  uuid   PRIMARY KEY,
      position  bigint NOT NULL,
      stream    text   NOT NULL,
      type      text   NOT NULL
    )`);
};

const definition = {
  name: 'bench_event_map',
  handles: reservationEventTypes,
  table: MAP_TABLE,
  conflictColumns: ['event_id'],
  map: (event: RecordedEvent) => ({ event_id: event.eventId, position: event.position, stream: event.aggregateId, type: event.type }),
};

/** About the least a projection can do: one row per reservation event, with asyncMap's defaults. */
export const benchMapProjection: AsyncProjection = asyncMap(definition);

/** The same with one partition instead of the default four: one loop, no concurrency between partitions. */
export const benchMapProjectionOnePartition: AsyncProjection = asyncMap(
  { ...definition, name: 'bench_event_map_one_partition' },
  { partitions: 1 },
);
