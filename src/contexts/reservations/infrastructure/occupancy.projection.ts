import type { PoolClient } from 'pg';
import { type AsyncProjection, type EventOf, selectByKeys, type TableNames, upsertRows } from '../../../event-sourcing/index.js';
import type { ReservationEvent } from '../domain/reservation.events.js';
import { reservationEventTypes } from './reservation.event-schemas.js';
import { occupancyStep, type OccupancyStay } from './occupancy.js';

interface StayRow extends Record<string, unknown> {
  practice_id: string;
  reservation_id: string;
  check_in_date: string;
  nights: number;
  counted: boolean;
}

const STAY_KEY = ['practice_id', 'reservation_id'];

/**
 * Rooms reserved per practice per night, kept by workers from reservation events. A batch
 * loads its stays at once, folds the events in memory, then writes stays and day counts in
 * two statements; day rows are incremented in a fixed order so partitions never deadlock.
 */
export const occupancyProjection: AsyncProjection<ReservationEvent> = {
  name: 'occupancy',
  handles: reservationEventTypes,
  tables: ['occupancy_stays', 'occupancy_days'],
  partitions: 4,
  errorPolicy: 'stop',
  maxAttempts: 5,
  async apply(client: PoolClient, events: readonly EventOf<ReservationEvent>[], tables: TableNames): Promise<void> {
    const keyOf = (e: EventOf<ReservationEvent>) => `${e.tenantId}\u0000${e.aggregateId}`;
    const keys = new Map(events.map((e) => [keyOf(e), [e.tenantId, e.aggregateId]]));
    const loaded = await selectByKeys<StayRow>(client, tables.occupancy_stays, STAY_KEY, [...keys.values()]);
    const stays = new Map<string, OccupancyStay | null>(
      loaded.map((row) => [`${row.practice_id}\u0000${row.reservation_id}`, { checkInDate: row.check_in_date, nights: row.nights, counted: row.counted }]),
    );
    const deltas = new Map<string, number>();
    for (const event of events) {
      const step = occupancyStep(stays.get(keyOf(event)) ?? null, event);
      stays.set(keyOf(event), step.stay);
      for (const [day, delta] of step.deltas) {
        const key = `${event.tenantId}\u0000${day}`;
        deltas.set(key, (deltas.get(key) ?? 0) + delta);
      }
    }
    const stayRows = [...stays.entries()].flatMap(([key, stay]) => {
      if (!stay) return [];
      const [practice_id, reservation_id] = key.split('\u0000');
      return [{ practice_id, reservation_id, check_in_date: stay.checkInDate, nights: stay.nights, counted: stay.counted }];
    });
    await upsertRows(client, tables.occupancy_stays, STAY_KEY, stayRows);
    const dayRows = [...deltas.entries()]
      .filter(([, delta]) => delta !== 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, reserved]) => {
        const [practice_id, day] = key.split('\u0000');
        return { practice_id, day, reserved };
      });
    if (dayRows.length === 0) return;
    await client.query(
      `INSERT INTO ${tables.occupancy_days} (practice_id, day, reserved)
       SELECT * FROM unnest($1::text[], $2::date[], $3::int[])
       ON CONFLICT (practice_id, day) DO UPDATE SET reserved = ${tables.occupancy_days}.reserved + excluded.reserved`,
      [dayRows.map((r) => r.practice_id), dayRows.map((r) => r.day), dayRows.map((r) => r.reserved)],
    );
  },
};
