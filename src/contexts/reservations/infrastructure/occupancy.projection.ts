import type { PoolClient } from 'pg';
import { type AsyncProjection, type EventOf, selectByKeys, type TableNames, upsertRows } from '../../../event-sourcing/index.js';
import type { ReservationEvent } from '../domain/reservation.events.js';
import { reservationEventTypes } from './reservation.event-schemas.js';
import { addOccupancyDeltas, stayAfter, type OccupancyStay } from './occupancy.js';

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
 * loads its stays at once, folds the events into them in memory, then writes stays and day
 * counts in two statements. Day counts change by the difference between each stay before the
 * batch and after it (what the events' own changes add up to), so a stay's nights are counted
 * once per batch, not once per event; day rows are incremented in a fixed order so partitions
 * never deadlock.
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
    const before = new Map<string, OccupancyStay>(
      loaded.map((row) => [`${row.practice_id}\u0000${row.reservation_id}`, { checkInDate: row.check_in_date, nights: row.nights, counted: row.counted }]),
    );
    const stays = new Map<string, OccupancyStay | null>(before);
    for (const event of events) {
      const key = keyOf(event);
      stays.set(key, stayAfter(stays.get(key) ?? null, event));
    }
    // Practice → night → change in reserved rooms.
    const deltas = new Map<string, Map<string, number>>();
    const stayRows: StayRow[] = [];
    for (const [key, stay] of stays) {
      if (!stay) continue;
      const [practice_id, reservation_id] = keys.get(key)!;
      let nights = deltas.get(practice_id);
      if (!nights) deltas.set(practice_id, (nights = new Map()));
      addOccupancyDeltas(nights, before.get(key) ?? null, stay);
      stayRows.push({ practice_id, reservation_id, check_in_date: stay.checkInDate, nights: stay.nights, counted: stay.counted });
    }
    await upsertRows(client, tables.occupancy_stays, STAY_KEY, stayRows);
    const dayRows: { practice_id: string; day: string; reserved: number }[] = [];
    for (const practice_id of [...deltas.keys()].sort()) {
      for (const day of [...deltas.get(practice_id)!.keys()].sort()) {
        const reserved = deltas.get(practice_id)!.get(day)!;
        if (reserved !== 0) dayRows.push({ practice_id, day, reserved });
      }
    }
    if (dayRows.length === 0) return;
    await client.query(
      `INSERT INTO ${tables.occupancy_days} (practice_id, day, reserved)
       SELECT * FROM unnest($1::text[], $2::date[], $3::int[])
       ON CONFLICT (practice_id, day) DO UPDATE SET reserved = ${tables.occupancy_days}.reserved + excluded.reserved`,
      [dayRows.map((r) => r.practice_id), dayRows.map((r) => r.day), dayRows.map((r) => r.reserved)],
    );
  },
};
