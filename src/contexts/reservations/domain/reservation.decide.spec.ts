import { deciderSpec } from '../../../event-sourcing/testing/index.js';
import type { ReservationCommand } from './reservation.commands.js';
import { reservationCommandFor, reservationDecider } from './reservation.decide.js';
import {
  CheckInDateInPast,
  InvalidCheckInDate,
  InvalidDeposit,
  InvalidNights,
  ReservationAlreadyCancelled,
  ReservationAlreadyExists,
  ReservationClosed,
  ReservationNotFound,
  ReservationNotReady,
  StayBeyondCalendar,
} from './reservation.errors.js';
import type { ReservationEvent } from './reservation.events.js';
import {
  at,
  cancelReservation,
  changeReservation,
  checkInReservation,
  completeReservation,
  confirmReservation,
  createReservation,
  directAppend,
  history,
  NEW_STAY,
  RESERVATION_ID,
  reservationCancelled,
  reservationChanged,
  reservationCheckedIn,
  reservationCompleted,
  reservationConfirmed,
  reservationCreated,
  STAY,
  TODAY,
  YESTERDAY,
} from './reservation.fixtures.js';

const { given } = deciderSpec(reservationDecider);

/** Every command but creation: what can be asked of a reservation that exists. */
const LATER_COMMANDS: readonly [string, () => ReservationCommand][] = [
  ['confirm', () => confirmReservation()],
  ['change dates', () => changeReservation()],
  ['check in', () => checkInReservation()],
  ['complete', () => completeReservation()],
];

describe('Reservation', () => {
  describe('when it does not exist', () => {
    it('is created with the deposit it asks for', () => {
      const deposit = { amount: 5000, currency: 'EUR' };
      given().when(createReservation({ deposit })).then(reservationCreated({ deposit }));
    });

    it.each([
      [0, 'EUR'],
      [-5, 'EUR'],
      [10.5, 'EUR'],
      [1_000_000_001, 'EUR'],
      [5000, 'eur'],
      [5000, 'EURO'],
      // Three capitals that are no ISO 4217 code.
      [5000, 'ABC'],
      [5000, 'ZZZ'],
      [5000, 'EUU'],
    ])('refuses a deposit of %p %p (INVALID_DEPOSIT)', (amount, currency) =>
      given().when(createReservation({ deposit: { amount, currency } })).thenThrows(InvalidDeposit, { details: { amount, currency } }));

    it('is created pending for the guest and stay, at the command time', () =>
      given().when(createReservation()).then(reservationCreated()));

    it.each([1, 365])('is created for %i nights', (nights) =>
      given().when(createReservation({ nights })).then(reservationCreated({ nights })));

    it.each([0, 366, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p nights (422 INVALID_NIGHTS)', (nights) =>
      given()
        .when(createReservation({ nights }))
        .thenThrows(InvalidNights, { kind: 'rule-violated', code: 'INVALID_NIGHTS', details: { nights, min: 1, max: 365 } }));

    it('is created with check-in today', () =>
      given().when(createReservation({ checkInDate: TODAY })).then(reservationCreated({ checkInDate: TODAY })));

    it('is created with check-in today in the last millisecond of the day (UTC)', () =>
      given()
        .when(createReservation({ checkInDate: TODAY }, at(`${TODAY}T23:59:59.999Z`)))
        .then(reservationCreated({ checkInDate: TODAY, createdAt: `${TODAY}T23:59:59.999Z` })));

    it('refuses check-in yesterday (422 CHECK_IN_DATE_IN_PAST)', () =>
      given()
        .when(createReservation({ checkInDate: YESTERDAY }))
        .thenThrows(CheckInDateInPast, { kind: 'rule-violated', code: 'CHECK_IN_DATE_IN_PAST', details: { checkInDate: YESTERDAY, today: TODAY } }));

    it('refuses yesterday even in the first millisecond of today (UTC)', () =>
      given().when(createReservation({ checkInDate: YESTERDAY }, at(`${TODAY}T00:00:00.000Z`))).thenThrows(CheckInDateInPast));

    it('is created on a leap day', () =>
      given().when(createReservation({ checkInDate: '2028-02-29' })).then(reservationCreated({ checkInDate: '2028-02-29' })));

    it.each(['2027-02-30', '2027-02-29', '2027-04-31', '2027-13-01', '2027-00-10', '2027-03-00', '2027-3-1', '27-03-01', '2027-03-10T00:00:00Z', ''])(
      'refuses %p as check-in date (422 INVALID_CHECK_IN_DATE)',
      (checkInDate) =>
        given()
          .when(createReservation({ checkInDate }))
          .thenThrows(InvalidCheckInDate, { kind: 'rule-violated', code: 'INVALID_CHECK_IN_DATE', details: { checkInDate } }),
    );

    it('is created for the last night of the calendar, 9999-12-30', () =>
      given()
        .when(createReservation({ checkInDate: '9999-12-30', nights: 1 }))
        .then(reservationCreated({ checkInDate: '9999-12-30', nights: 1 })));

    it.each([
      ['9999-12-31', 1],
      ['9999-12-01', 31],
    ])('refuses a stay from %s for %p nights, ending after 9999-12-31 (422 STAY_BEYOND_CALENDAR)', (checkInDate, nights) =>
      given()
        .when(createReservation({ checkInDate, nights }))
        .thenThrows(StayBeyondCalendar, { code: 'STAY_BEYOND_CALENDAR', details: { checkInDate, nights } }));

    it.each([...LATER_COMMANDS, ['cancel', () => cancelReservation()] as const])('cannot %s (404 RESERVATION_NOT_FOUND)', (_, command) =>
      given()
        .when(command())
        .thenThrows(ReservationNotFound, { kind: 'not-found', code: 'RESERVATION_NOT_FOUND', details: { reservationId: RESERVATION_ID } }));
  });

  describe('when pending', () => {
    it('cannot be created again (409 RESERVATION_ALREADY_EXISTS)', () =>
      given(history.pending).when(createReservation()).thenThrows(ReservationAlreadyExists, { kind: 'conflict', code: 'RESERVATION_ALREADY_EXISTS' }));

    it('is confirmed', () => given(history.pending).when(confirmReservation()).then(reservationConfirmed()));

    it('moves to other dates', () => given(history.pending).when(changeReservation()).then(reservationChanged()));

    it('refuses check-in before confirmation (409 RESERVATION_NOT_READY)', () =>
      given(history.pending)
        .when(checkInReservation())
        .thenThrows(ReservationNotReady, { kind: 'conflict', code: 'RESERVATION_NOT_READY', details: { status: 'pending', needed: 'confirmed' } }));

    it('refuses completion before check-in', () =>
      given(history.pending).when(completeReservation()).thenThrows(ReservationNotReady, { details: { status: 'pending', needed: 'checked_in' } }));

    it('is cancelled with the reason', () =>
      given(history.pending).when(cancelReservation('double booking')).then(reservationCancelled({ reason: 'double booking' })));
  });

  describe('when confirmed', () => {
    it('refuses a second confirmation', () =>
      given(history.confirmed).when(confirmReservation()).thenThrows(ReservationNotReady, { details: { status: 'confirmed', needed: 'pending' } }));

    it('checks in', () => given(history.confirmed).when(checkInReservation()).then(reservationCheckedIn()));

    it('refuses completion before check-in (409 RESERVATION_NOT_READY)', () =>
      given(history.confirmed).when(completeReservation()).thenThrows(ReservationNotReady, { details: { status: 'confirmed', needed: 'checked_in' } }));

    it('is cancelled with the reason', () => given(history.confirmed).when(cancelReservation()).then(reservationCancelled()));
  });

  describe('when its dates change (pending or confirmed)', () => {
    it.each([
      ['the check-in date only', { checkInDate: '2027-04-01', nights: STAY.nights }],
      ['the nights only', { checkInDate: STAY.checkInDate, nights: 9 }],
      ['to check-in today', { checkInDate: TODAY, nights: 2 }],
      ['to 1 night', { checkInDate: STAY.checkInDate, nights: 1 }],
      ['to 365 nights', { checkInDate: STAY.checkInDate, nights: 365 }],
    ])('records %s', (_, stay) =>
      given(history.confirmed).when(changeReservation(stay)).then(reservationChanged(stay)));

    it('decides nothing when the stay is the same', () => given(history.confirmed).when(changeReservation(STAY)).then());

    it('compares with the latest change, not the creation', () =>
      given(history.confirmed, reservationChanged()).when(changeReservation(NEW_STAY)).then());

    it('moves back to the original stay after a change', () =>
      given(history.confirmed, reservationChanged()).when(changeReservation(STAY)).then(reservationChanged(STAY)));

    it.each([0, 366, 2.5])('refuses %p nights (422 INVALID_NIGHTS)', (nights) =>
      given(history.confirmed).when(changeReservation({ nights })).thenThrows(InvalidNights, { details: { nights } }));

    it('refuses a check-in date in the past (422 CHECK_IN_DATE_IN_PAST)', () =>
      given(history.pending).when(changeReservation({ checkInDate: YESTERDAY })).thenThrows(CheckInDateInPast, { details: { today: TODAY } }));

    it('refuses a day that is not in the calendar (422 INVALID_CHECK_IN_DATE)', () =>
      given(history.confirmed).when(changeReservation({ checkInDate: '2027-02-30' })).thenThrows(InvalidCheckInDate));

    it('refuses a stay ending after 9999-12-31 (422 STAY_BEYOND_CALENDAR)', () =>
      given(history.confirmed)
        .when(changeReservation({ checkInDate: '9999-12-31', nights: 3 }))
        .thenThrows(StayBeyondCalendar));
  });

  describe('when checked in', () => {
    it('completes', () => given(history.checked_in).when(completeReservation()).then(reservationCompleted()));

    it('refuses a change of dates (409 RESERVATION_NOT_READY)', () =>
      given(history.checked_in)
        .when(changeReservation())
        .thenThrows(ReservationNotReady, { details: { status: 'checked_in', needed: 'pending or confirmed' } }));

    it.each([
      ['confirm', confirmReservation],
      ['check in again', checkInReservation],
    ])('refuses to %s', (_, command) => given(history.checked_in).when(command()).thenThrows(ReservationNotReady));

    it('is cancelled with the reason', () => given(history.checked_in).when(cancelReservation('left early')).then(reservationCancelled({ reason: 'left early' })));
  });

  describe.each(['completed', 'cancelled'] as const)('when %s', (status) => {
    it.each(LATER_COMMANDS)('refuses to %s (409 RESERVATION_CLOSED)', (_, command) =>
      given(history[status])
        .when(command())
        .thenThrows(ReservationClosed, { kind: 'conflict', code: 'RESERVATION_CLOSED', details: { reservationId: RESERVATION_ID, status } }));

    it('cannot be created again', () => given(history[status]).when(createReservation()).thenThrows(ReservationAlreadyExists));
  });

  describe('when completed', () => {
    it('cannot be cancelled (409 RESERVATION_CLOSED)', () =>
      given(history.completed).when(cancelReservation()).thenThrows(ReservationClosed, { details: { status: 'completed' } }));
  });

  describe('when cancelled', () => {
    it('cannot be cancelled twice (409 RESERVATION_ALREADY_CANCELLED)', () =>
      given(history.cancelled)
        .when(cancelReservation('again'))
        .thenThrows(ReservationAlreadyCancelled, { kind: 'conflict', code: 'RESERVATION_ALREADY_CANCELLED', details: { reservationId: RESERVATION_ID } }));
  });
});

describe('reservationCommandFor (direct appends)', () => {
  const LATER = '2027-03-05T10:00:00.000Z';
  const lifecycle: readonly ReservationEvent[] = [
    reservationCreated({ createdAt: LATER }),
    reservationConfirmed({ confirmedAt: LATER }),
    reservationChanged({ changedAt: LATER }),
    reservationCheckedIn({ checkedInAt: LATER }),
    reservationCompleted({ completedAt: LATER }),
  ];

  it.each(lifecycle.map((event, index) => [event.type, index] as const))('turns %s into the command that decides exactly it', (_, index) =>
    given(lifecycle.slice(0, index))
      .when(reservationCommandFor(lifecycle[index], directAppend(at(LATER))))
      .then(lifecycle[index]));

  it('keeps the deposit a reservation.created asks for, so its saga requests it', () =>
    given()
      .when(reservationCommandFor(reservationCreated({ createdAt: LATER, deposit: { amount: 5000, currency: 'EUR' } }), directAppend(at(LATER))))
      .then(reservationCreated({ createdAt: LATER, deposit: { amount: 5000, currency: 'EUR' } })));

  it('turns reservation.cancelled into a cancellation with its reason', () =>
    given(history.confirmed)
      .when(reservationCommandFor(reservationCancelled({ reason: 'no show', cancelledAt: LATER }), directAppend(at(LATER))))
      .then(reservationCancelled({ reason: 'no show', cancelledAt: LATER })));

  it('takes the reservation id from the stream, the time and actor from the caller', () => {
    const context = directAppend(at(LATER));
    expect(reservationCommandFor(reservationCreated({ reservationId: 'from-the-payload' }), context)).toEqual(
      createReservation({ reservationId: RESERVATION_ID }, context.metadata),
    );
  });

  it.each([
    ['a confirmation of a cancelled reservation', history.cancelled, reservationConfirmed(), ReservationClosed],
    ['a check-in of a pending reservation', history.pending, reservationCheckedIn(), ReservationNotReady],
    ['a second creation', history.pending, reservationCreated(), ReservationAlreadyExists],
    ['a creation for 400 nights', [], reservationCreated({ nights: 400 }), InvalidNights],
    ['a creation with a deposit of no amount', [], reservationCreated({ deposit: { amount: 0, currency: 'EUR' } }), InvalidDeposit],
    ['a change into the past', history.confirmed, reservationChanged({ checkInDate: YESTERDAY }), CheckInDateInPast],
  ] as const)('lets the aggregate refuse %s', (_, past, event, error) =>
    given(past).when(reservationCommandFor(event, directAppend())).thenThrows(error));
});
