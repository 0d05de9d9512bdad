import type { EventOf } from '../../../event-sourcing/index.js';
import type { ReservationEvent } from '../domain/reservation.events.js';

/** What a practice knows of one guest, folded from the guest's reservations on read. */
export interface GuestProfile {
  readonly guestId: string;
  readonly guestName: string;
  readonly reservations: number;
  readonly cancelled: number;
  readonly completed: number;
  /** Nights of stays that are not cancelled. */
  readonly nights: number;
  readonly firstCheckIn: string | null;
  readonly lastCheckIn: string | null;
}

export interface GuestTracking {
  readonly profile: GuestProfile;
  /** Per reservation: its nights and check-in while it counts (not cancelled). */
  readonly stays: Readonly<Record<string, { nights: number; checkInDate: string } | null>>;
}

export const emptyGuestTracking: GuestTracking = {
  profile: { guestId: '', guestName: '', reservations: 0, cancelled: 0, completed: 0, nights: 0, firstCheckIn: null, lastCheckIn: null },
  stays: {},
};

const summarise = (tracking: GuestTracking, profile: Omit<GuestProfile, 'nights' | 'firstCheckIn' | 'lastCheckIn'>): GuestProfile => {
  const stays = Object.values(tracking.stays).filter((s): s is { nights: number; checkInDate: string } => s !== null);
  const days = stays.map((s) => s.checkInDate).sort();
  return {
    ...profile,
    nights: stays.reduce((sum, s) => sum + s.nights, 0),
    firstCheckIn: days[0] ?? null,
    lastCheckIn: days.at(-1) ?? null,
  };
};

export const evolveGuestTracking = (tracking: GuestTracking, event: EventOf<ReservationEvent>): GuestTracking => {
  const id = event.aggregateId;
  const { profile } = tracking;
  let stays = tracking.stays;
  let counts = { guestId: profile.guestId, guestName: profile.guestName, reservations: profile.reservations, cancelled: profile.cancelled, completed: profile.completed };
  switch (event.type) {
    case 'reservation.created':
      stays = { ...stays, [id]: { nights: event.data.nights, checkInDate: event.data.checkInDate } };
      counts = { ...counts, guestId: event.data.guestId, guestName: event.data.guestName, reservations: counts.reservations + 1 };
      break;
    case 'reservation.changed':
      // An own property only: `stays[id]` would find what every object inherits for an id like `constructor`.
      if (Object.hasOwn(stays, id) && stays[id]) {
        stays = { ...stays, [id]: { nights: event.data.nights, checkInDate: event.data.checkInDate } };
      }
      break;
    case 'reservation.cancelled':
      stays = { ...stays, [id]: null };
      counts = { ...counts, cancelled: counts.cancelled + 1 };
      break;
    case 'reservation.completed':
      counts = { ...counts, completed: counts.completed + 1 };
      break;
    default:
      return tracking;
  }
  const next = { profile, stays };
  return { stays, profile: summarise(next, counts) };
};
