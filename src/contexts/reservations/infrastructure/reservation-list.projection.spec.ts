import type { EventOf } from '../../../event-sourcing/index.js';
import { projectionSpec, recordedEvent } from '../../../event-sourcing/testing/index.js';
import type { ReservationEvent } from '../domain/reservation.events.js';
import { reservationEventTypes } from './reservation.event-schemas.js';
import {
  NOW,
  PRACTICE_ID,
  RESERVATION_ID,
  reservationCancelled,
  reservationChanged,
  reservationCheckedIn,
  reservationCompleted,
  reservationConfirmed,
  reservationCreated,
  STAFF,
} from '../domain/reservation.fixtures.js';
import { evolveReservationRow, reservationListChanges, reservationListProjection, type ReservationRow } from './reservation-list.projection.js';

const LATER = '2027-03-02T14:30:00.000Z';

/** An event as the store hands it to the projection: the n-th of its stream. */
const recorded = (event: ReservationEvent, version: number, occurredAt: string = LATER): EventOf<ReservationEvent> =>
  recordedEvent(event, {
    tenantId: PRACTICE_ID,
    aggregateType: 'reservation',
    aggregateId: RESERVATION_ID,
    version,
    occurredAt: new Date(occurredAt),
    metadata: { actor: { type: 'human', id: STAFF } },
  });

const fold = (...events: ReservationEvent[]): ReservationRow | null =>
  events.map((event, index) => recorded(event, index + 1)).reduce<ReservationRow | null>(evolveReservationRow, null);

const pendingRow: ReservationRow = {
  practice_id: PRACTICE_ID,
  reservation_id: RESERVATION_ID,
  guest_id: 'guest-17',
  guest_name: 'Ada Lovelace',
  status: 'pending',
  check_in_date: '2027-03-10',
  nights: 3,
  check_out_date: '2027-03-13',
  cancel_reason: null,
  version: 1,
  created_at: NOW,
  updated_at: NOW,
};

describe('The reservation list row', () => {
  describe('when the reservation is created', () => {
    it('is a pending row keyed by the stream, with the stay, its check-out day and the creation time', () =>
      expect(fold(reservationCreated())).toEqual(pendingRow));

    it('takes the ids from the stream, not from the payload', () =>
      expect(fold(reservationCreated({ reservationId: 'from-the-payload' }))).toMatchObject({ reservation_id: RESERVATION_ID }));

    it.each([
      ['at the end of a month', '2027-04-29', 3, '2027-05-02'],
      ['across the year', '2027-12-30', 3, '2028-01-02'],
      ['onto a leap day', '2028-02-28', 1, '2028-02-29'],
      ['over a leap day', '2028-02-28', 2, '2028-03-01'],
      ['for 365 nights', '2027-03-10', 365, '2028-03-09'],
    ])('computes the check-out day %s', (_, checkInDate, nights, checkOutDate) =>
      expect(fold(reservationCreated({ checkInDate, nights }))).toMatchObject({ check_in_date: checkInDate, nights, check_out_date: checkOutDate }));

    it('starts over from the event, whatever row was there', () =>
      expect(evolveReservationRow({ ...pendingRow, status: 'cancelled', version: 7 }, recorded(reservationCreated(), 1))).toEqual(pendingRow));
  });

  describe('when a later event arrives', () => {
    it.each([
      ['confirmed', reservationConfirmed(), { status: 'confirmed' }],
      ['checked in', reservationCheckedIn(), { status: 'checked_in' }],
      ['completed', reservationCompleted(), { status: 'completed' }],
      ['cancelled', reservationCancelled({ reason: 'no show' }), { status: 'cancelled', cancel_reason: 'no show' }],
      [
        'changed',
        reservationChanged({ checkInDate: '2027-12-31', nights: 2 }),
        { status: 'pending', check_in_date: '2027-12-31', nights: 2, check_out_date: '2028-01-02' },
      ],
    ] as const)('shows it %s, with the event version and time, and keeps the rest', (_, event, changes) =>
      expect(evolveReservationRow(pendingRow, recorded(event, 2))).toEqual({ ...pendingRow, ...changes, version: 2, updated_at: LATER }));

    it('does not change the row it was given', () => {
      const row = Object.freeze({ ...pendingRow });
      evolveReservationRow(row, recorded(reservationConfirmed(), 2));
      expect(row).toEqual(pendingRow);
    });

    it.each([reservationConfirmed(), reservationChanged(), reservationCancelled()])('makes no row of $type without a creation', (event) =>
      expect(evolveReservationRow(null, recorded(event, 1))).toBeNull());
  });

  describe('over a whole lifecycle', () => {
    it('ends with the last status, the latest stay and the creation time kept', () =>
      expect(
        fold(reservationCreated(), reservationConfirmed(), reservationChanged({ checkInDate: '2027-03-20', nights: 5 }), reservationCheckedIn(), reservationCompleted()),
      ).toEqual({
        ...pendingRow,
        status: 'completed',
        check_in_date: '2027-03-20',
        nights: 5,
        check_out_date: '2027-03-25',
        version: 5,
        updated_at: LATER,
      }));

    it('keeps the cancel reason of a cancelled reservation', () =>
      expect(fold(reservationCreated(), reservationConfirmed(), reservationCancelled({ reason: 'storm' }))).toMatchObject({
        status: 'cancelled',
        cancel_reason: 'storm',
        version: 3,
      }));
  });

  describe('as the row-change projection the aggregate registers', () => {
    // then() lists the expected rows in key order; each may name only the columns it cares about.
    it('holds one row a reservation, as its last event left it', () =>
      projectionSpec(reservationListChanges)
        .given(recorded(reservationCreated(), 1), recorded(reservationConfirmed(), 2))
        .then({ reservation_id: RESERVATION_ID, status: 'confirmed', version: 2 }));
  });

  describe('as a fold projection', () => {
    it('handles every reservation event, one row per practice and reservation', () => {
      expect(reservationListProjection).toMatchObject({ name: 'reservation-list', table: 'reservations', keyColumns: ['practice_id', 'reservation_id'] });
      expect([...reservationListProjection.handles].sort()).toEqual([...reservationEventTypes].sort());
      expect(reservationListProjection.keyOf(recorded(reservationConfirmed(), 2))).toEqual([PRACTICE_ID, RESERVATION_ID]);
      expect(reservationListProjection.evolve).toBe(evolveReservationRow);
    });
  });
});
