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

const add = (deltas: Map<string, number>, stay: OccupancyStay | null, sign: 1 | -1): void => {
  if (!stay?.counted) return;
  for (const night of nightsOf(stay.checkInDate, stay.nights)) deltas.set(night, (deltas.get(night) ?? 0) + sign);
};

/**
 * The stay after one reservation event. Confirmations, check-ins and completions change
 * nothing: a pending stay already holds its room; completed stays stay counted (they
 * happened); cancelled ones stop counting. An event of a stay never created leaves none.
 */
export const stayAfter = (stay: OccupancyStay | null, event: EventOf<ReservationEvent>): OccupancyStay | null => {
  if (event.type === 'reservation.created') return { checkInDate: event.data.checkInDate, nights: event.data.nights, counted: true };
  if (!stay) return stay;
  // Literals, not spreads of the stay: most events of a stream are changes, and a spread cost more than the rest of the fold step.
  if (event.type === 'reservation.changed') return { checkInDate: event.data.checkInDate, nights: event.data.nights, counted: stay.counted };
  if (event.type === 'reservation.cancelled') return { checkInDate: stay.checkInDate, nights: stay.nights, counted: false };
  return stay;
};

/**
 * Adds to `deltas` the change in reserved rooms per night from a stay as it was to the stay as
 * it is: its counted nights taken away, the new ones added (nights in both cancel out to 0).
 * Occupancy is the sum of the counted stays' nights, so the change over any run of events is
 * this change from the stay before the first to the stay after the last.
 */
export const addOccupancyDeltas = (deltas: Map<string, number>, before: OccupancyStay | null, after: OccupancyStay | null): void => {
  if (before === after) return;
  add(deltas, before, -1);
  add(deltas, after, 1);
};

/** One reservation event's effect on occupancy: pure, so its rules are tested without a database. */
export const occupancyStep = (stay: OccupancyStay | null, event: EventOf<ReservationEvent>): OccupancyStep => {
  const after = stayAfter(stay, event);
  const deltas = new Map<string, number>();
  addOccupancyDeltas(deltas, stay, after);
  return { stay: after, deltas };
};
