import type { PoolClient } from 'pg';
import { arrayElement, type AsyncProjection, type EventOf, selectByKeys, type TableNames, upsertRows } from '../../../event-sourcing/index.js';
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
  // Counts keep no guest's data, so its workers read no subject key and decrypt nothing.
  personalFields: 'redacted',
  async apply(client: PoolClient, events: readonly EventOf<ReservationEvent>[], tables: TableNames): Promise<void> {
    // Each event's stay key, made once per run of one stream's events: a stream's events mostly
    // come together in the log (appended together), and a string and two arrays per event were
    // a good part of the fold's garbage.
    const eventKeys = new Array<string>(events.length);
    const keys = new Map<string, [string, string]>();
    for (let i = 0, key = ''; i < events.length; i++) {
      const event = events[i];
      const previous = events[i - 1];
      if (!previous || event.aggregateId !== previous.aggregateId || event.tenantId !== previous.tenantId) {
        key = `${event.tenantId}\u0000${event.aggregateId}`;
        if (!keys.has(key)) keys.set(key, [event.tenantId, event.aggregateId]);
      }
      eventKeys[i] = key;
    }
    const loaded = await selectByKeys<StayRow>(client, tables.occupancy_stays, STAY_KEY, [...keys.values()]);
    const before = new Map<string, OccupancyStay>(
      loaded.map((row) => [`${row.practice_id}\u0000${row.reservation_id}`, { checkInDate: row.check_in_date, nights: row.nights, counted: row.counted }]),
    );
    const stays = new Map<string, OccupancyStay | null>(before);
    // A run of one stay's events folds without a map lookup per event.
    for (let i = 0; i < events.length; ) {
      const key = eventKeys[i];
      let stay = stays.get(key) ?? null;
      for (; i < events.length && eventKeys[i] === key; i++) stay = stayAfter(stay, events[i]);
      stays.set(key, stay);
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
    // The day rows as three array literals, built here: handed JS arrays, pg quotes and escapes
    // every element with regex replaces, the largest part of the fold's garbage. A practice's id
    // is quoted once for all its days; days (YYYY-MM-DD) and counts need no quoting.
    const practices: string[] = [];
    const days: string[] = [];
    const reserved: number[] = [];
    for (const practice_id of [...deltas.keys()].sort()) {
      const nights = deltas.get(practice_id)!;
      const quoted = arrayElement(practice_id);
      for (const day of [...nights.keys()].sort()) {
        const change = nights.get(day)!;
        if (change === 0) continue;
        practices.push(quoted);
        days.push(day);
        reserved.push(change);
      }
    }
    if (days.length === 0) return;
    await client.query(
      `INSERT INTO ${tables.occupancy_days} (practice_id, day, reserved)
       SELECT * FROM unnest($1::text[], $2::date[], $3::int[])
       ON CONFLICT (practice_id, day) DO UPDATE SET reserved = ${tables.occupancy_days}.reserved + excluded.reserved`,
      [`{${practices.join(',')}}`, `{${days.join(',')}}`, `{${reserved.join(',')}}`],
    );
  },
};
