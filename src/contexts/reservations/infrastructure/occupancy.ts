import type { EventOf } from '../../../event-sourcing/index.js';
import type { ReservationEvent } from '../domain/reservation.events.js';
import { nightsOf } from '../domain/stay.js';

/** What occupancy remembers of a reservation: its nights, and whether they count (not cancelled). */
export interface OccupancyStay {
  readonly checkInDate: string;
  readonly nights: number;
  readonly counted: boolean;
}

export interface OccupancyStep {
  readonly stay: OccupancyStay | null;
  /** Change in reserved rooms per night (YYYY-MM-DD → ±n). */
  readonly deltas: ReadonlyMap<string, number>;
}

const add = (deltas: Map<string, number>, stay: OccupancyStay, sign: 1 | -1): void => {
  if (!stay.counted) return;
  for (const night of nightsOf(stay.checkInDate, stay.nights)) deltas.set(night, (deltas.get(night) ?? 0) + sign);
};

/**
 * One reservation event's effect on occupancy: pure, so its rules are tested without a
 * database. Confirmations, check-ins and completions change nothing: a pending stay already
 * holds its room; completed stays stay counted (they happened); cancelled ones stop counting.
 */
export const occupancyStep = (stay: OccupancyStay | null, event: EventOf<ReservationEvent>): OccupancyStep => {
  const deltas = new Map<string, number>();
  if (event.type === 'reservation.created') {
    const created = { checkInDate: event.data.checkInDate, nights: event.data.nights, counted: true };
    add(deltas, created, 1);
    return { stay: created, deltas };
  }
  if (!stay) return { stay, deltas };
  if (event.type === 'reservation.changed') {
    const changed = { ...stay, checkInDate: event.data.checkInDate, nights: event.data.nights };
    add(deltas, stay, -1);
    add(deltas, changed, 1);
    return { stay: changed, deltas };
  }
  if (event.type === 'reservation.cancelled') {
    add(deltas, stay, -1);
    return { stay: { ...stay, counted: false }, deltas };
  }
  return { stay, deltas };
};
