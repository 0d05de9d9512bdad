import type { EventOf } from '../../../event-sourcing/index.js';
import { recordedEvent } from '../../../event-sourcing/testing/index.js';
import type { ReservationEvent } from '../domain/reservation.events.js';
import { GUEST, NEW_STAY, PRACTICE_ID, reservationChanged, reservationCreated, STAY } from '../domain/reservation.fixtures.js';
import { emptyGuestTracking, evolveGuestTracking, type GuestProfile } from './guest-profile.js';

/** The events of one reservation, as the store hands them to the fold. */
const of = (reservationId: string, ...events: ReservationEvent[]): EventOf<ReservationEvent>[] =>
  events.map((event, i) =>
    recordedEvent(event, { tenantId: PRACTICE_ID, aggregateType: 'reservation', aggregateId: reservationId, version: i + 1 }),
  );

const profileOf = (events: EventOf<ReservationEvent>[]): GuestProfile =>
  events.reduce(evolveGuestTracking, emptyGuestTracking).profile;

describe('guest profile', () => {
  it('counts the nights of a changed stay as changed', () =>
    expect(profileOf(of('reservation-1', reservationCreated(), reservationChanged()))).toMatchObject({
      ...GUEST,
      reservations: 1,
      nights: NEW_STAY.nights,
      firstCheckIn: NEW_STAY.checkInDate,
    }));

  // Reservation ids are UUIDs today; the fold must not depend on it.
  it.each(['constructor', 'toString', '__proto__'])('counts no stay for a change of %s, a reservation it never saw created', (id) =>
    expect(profileOf([...of('reservation-1', reservationCreated()), ...of(id, reservationChanged())])).toMatchObject({
      reservations: 1,
      nights: STAY.nights,
      lastCheckIn: STAY.checkInDate,
    }));
});
