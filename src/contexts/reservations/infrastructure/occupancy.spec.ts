import type { EventOf } from '../../../event-sourcing/index.js';
import { recordedEvent } from '../../../event-sourcing/testing/index.js';
import type { ReservationEvent } from '../domain/reservation.events.js';
import {
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
import { occupancyStep, type OccupancyStay } from './occupancy.js';

/** An event as the store hands it to the projection: the n-th of its stream. */
const recorded = (event: ReservationEvent, version = 1): EventOf<ReservationEvent> =>
  recordedEvent(event, {
    tenantId: PRACTICE_ID,
    aggregateType: 'reservation',
    aggregateId: RESERVATION_ID,
    version,
    occurredAt: new Date('2027-03-01T09:00:00.000Z'),
    metadata: { actor: { type: 'human', id: STAFF } },
  });

/** The deltas as a plain object, so a failure shows which nights are off. */
const deltasOf = (stay: OccupancyStay | null, event: ReservationEvent): Record<string, number> =>
  Object.fromEntries(occupancyStep(stay, recorded(event)).deltas);

const nonZero = (deltas: ReadonlyMap<string, number>): Record<string, number> => Object.fromEntries([...deltas].filter(([, n]) => n !== 0));

/** Folds a whole stream, summing the deltas per night (zeros dropped): what the read model ends up with. */
const fold = (...events: ReservationEvent[]): { stay: OccupancyStay | null; nights: Record<string, number> } => {
  let stay: OccupancyStay | null = null;
  const nights = new Map<string, number>();
  events.forEach((event, index) => {
    const step = occupancyStep(stay, recorded(event, index + 1));
    stay = step.stay;
    for (const [night, delta] of step.deltas) nights.set(night, (nights.get(night) ?? 0) + delta);
  });
  return { stay, nights: nonZero(nights) };
};

const counted = (checkInDate: string, nights: number): OccupancyStay => ({ checkInDate, nights, counted: true });

describe('occupancyStep: one reservation event\'s effect on rooms per night', () => {
  describe('reservation.created', () => {
    it('adds one room to each night of the stay, not the check-out day, and remembers the stay', () => {
      const step = occupancyStep(null, recorded(reservationCreated({ checkInDate: '2027-03-10', nights: 3 })));

      expect(step.stay).toEqual(counted('2027-03-10', 3));
      expect(Object.fromEntries(step.deltas)).toEqual({ '2027-03-10': 1, '2027-03-11': 1, '2027-03-12': 1 });
    });

    it('adds a single night for a one-night stay', () =>
      expect(deltasOf(null, reservationCreated({ checkInDate: '2027-03-10', nights: 1 }))).toEqual({ '2027-03-10': 1 }));

    it('adds 365 distinct nights for the longest stay, a year of calendar days', () => {
      const deltas = deltasOf(null, reservationCreated({ checkInDate: '2027-01-01', nights: 365 }));

      expect(Object.keys(deltas)).toHaveLength(365);
      expect(Object.values(deltas).every((n) => n === 1)).toBe(true);
      expect(Object.keys(deltas).sort().at(0)).toBe('2027-01-01');
      expect(Object.keys(deltas).sort().at(-1)).toBe('2027-12-31');
    });
  });

  describe('reservation.changed', () => {
    it('takes the old nights away and adds the new ones; nights in both cancel out', () => {
      const step = occupancyStep(counted('2027-03-10', 3), recorded(reservationChanged({ checkInDate: '2027-03-12', nights: 4 }), 2));

      expect(step.stay).toEqual(counted('2027-03-12', 4));
      expect(nonZero(step.deltas)).toEqual({
        '2027-03-10': -1,
        '2027-03-11': -1,
        '2027-03-13': 1,
        '2027-03-14': 1,
        '2027-03-15': 1,
      });
    });

    it('moves a stay to days that do not overlap the old ones', () =>
      expect(fold(reservationCreated({ checkInDate: '2027-03-10', nights: 2 }), reservationChanged({ checkInDate: '2027-04-01', nights: 1 })).nights).toEqual({
        '2027-04-01': 1,
      }));

    it('shortens and lengthens a stay in place', () => {
      expect(fold(reservationCreated({ checkInDate: '2027-03-10', nights: 3 }), reservationChanged({ checkInDate: '2027-03-10', nights: 1 })).nights).toEqual({
        '2027-03-10': 1,
      });
      expect(fold(reservationCreated({ checkInDate: '2027-03-10', nights: 1 }), reservationChanged({ checkInDate: '2027-03-10', nights: 2 })).nights).toEqual({
        '2027-03-10': 1,
        '2027-03-11': 1,
      });
    });

    it('follows several changes: only the last stay counts', () =>
      expect(
        fold(
          reservationCreated({ checkInDate: '2027-03-10', nights: 2 }),
          reservationChanged({ checkInDate: '2027-03-20', nights: 2 }),
          reservationConfirmed(),
          reservationChanged({ checkInDate: '2027-03-11', nights: 2 }),
        ),
      ).toEqual({ stay: counted('2027-03-11', 2), nights: { '2027-03-11': 1, '2027-03-12': 1 } }));

    it('moves the remembered stay of a cancelled reservation without counting anything', () => {
      const step = occupancyStep({ checkInDate: '2027-03-10', nights: 2, counted: false }, recorded(reservationChanged({ checkInDate: '2027-05-01', nights: 3 }), 3));

      expect(step.stay).toEqual({ checkInDate: '2027-05-01', nights: 3, counted: false });
      expect(Object.fromEntries(step.deltas)).toEqual({});
    });
  });

  describe('reservation.cancelled', () => {
    it('takes every night of the stay away and stops counting it', () => {
      const step = occupancyStep(counted('2027-03-10', 2), recorded(reservationCancelled(), 2));

      expect(step.stay).toEqual({ checkInDate: '2027-03-10', nights: 2, counted: false });
      expect(Object.fromEntries(step.deltas)).toEqual({ '2027-03-10': -1, '2027-03-11': -1 });
    });

    it('removes the changed nights, not the original ones', () =>
      expect(
        fold(
          reservationCreated({ checkInDate: '2027-03-10', nights: 2 }),
          reservationChanged({ checkInDate: '2027-03-20', nights: 3 }),
          reservationCancelled(),
        ).nights,
      ).toEqual({}));

    it('takes nothing away a second time from a stay no longer counted', () =>
      expect(deltasOf({ checkInDate: '2027-03-10', nights: 2, counted: false }, reservationCancelled())).toEqual({}));

    it('leaves a reservation that counts nowhere after created → confirmed → cancelled', () =>
      expect(fold(reservationCreated(), reservationConfirmed(), reservationCancelled()).nights).toEqual({}));
  });

  describe.each([
    ['reservation.confirmed', reservationConfirmed()],
    ['reservation.checked_in', reservationCheckedIn()],
    ['reservation.completed', reservationCompleted()],
  ] as const)('%s', (_, event) => {
    it('changes no night and keeps the stay as it was', () => {
      const stay = counted('2027-03-10', 3);
      const step = occupancyStep(stay, recorded(event, 2));

      expect(step.stay).toEqual(stay);
      expect(step.deltas.size).toBe(0);
    });

    it('keeps a cancelled stay uncounted', () => {
      const stay = { checkInDate: '2027-03-10', nights: 3, counted: false };
      expect(occupancyStep(stay, recorded(event, 2))).toEqual({ stay, deltas: new Map() });
    });
  });

  it('keeps a completed stay counted: it happened', () =>
    expect(fold(reservationCreated({ checkInDate: '2027-03-10', nights: 2 }), reservationConfirmed(), reservationCheckedIn(), reservationCompleted())).toEqual({
      stay: counted('2027-03-10', 2),
      nights: { '2027-03-10': 1, '2027-03-11': 1 },
    }));

  describe('an event of a stay the projection does not know (no created seen)', () => {
    it.each([
      ['reservation.changed', reservationChanged()],
      ['reservation.cancelled', reservationCancelled()],
      ['reservation.confirmed', reservationConfirmed()],
      ['reservation.checked_in', reservationCheckedIn()],
      ['reservation.completed', reservationCompleted()],
    ] as const)('%s changes nothing and invents no stay', (_, event) => {
      const step = occupancyStep(null, recorded(event, 2));

      expect(step.stay).toBeNull();
      expect(step.deltas.size).toBe(0);
    });
  });

  describe('nights are calendar days', () => {
    it.each([
      ['across the end of a 31-day month', '2027-01-30', 3, ['2027-01-30', '2027-01-31', '2027-02-01']],
      ['across the end of a 30-day month', '2027-04-29', 3, ['2027-04-29', '2027-04-30', '2027-05-01']],
      ['across the end of February in a common year', '2027-02-27', 3, ['2027-02-27', '2027-02-28', '2027-03-01']],
      ['across the end of February in a leap year', '2028-02-28', 3, ['2028-02-28', '2028-02-29', '2028-03-01']],
      ['across the end of the year', '2027-12-30', 4, ['2027-12-30', '2027-12-31', '2028-01-01', '2028-01-02']],
      ['across a daylight-saving change in Europe and America', '2027-03-27', 3, ['2027-03-27', '2027-03-28', '2027-03-29']],
    ])('%s', (_, checkInDate, nights, expected) => {
      const deltas = deltasOf(null, reservationCreated({ checkInDate, nights }));
      expect(Object.keys(deltas).sort()).toEqual(expected);
    });

    it('moves a stay across the end of the year and back', () => {
      const step = occupancyStep(counted('2027-12-31', 2), recorded(reservationChanged({ checkInDate: '2027-11-30', nights: 2 }), 2));

      expect(Object.fromEntries(step.deltas)).toEqual({ '2027-12-31': -1, '2028-01-01': -1, '2027-11-30': 1, '2027-12-01': 1 });
    });
  });
});
