import { commandRefused, deadlineReached, sendTo } from '../../../../event-sourcing/index.js';
import { recordedEvent, sagaSpec } from '../../../../event-sourcing/testing/index.js';
import { payments, type PaymentEvent } from '../../../payments/public-api.js';
import { reservationCancelled, reservationConfirmed, reservationCreated, RESERVATION_ID } from '../../domain/reservation.fixtures.js';
import type { ReservationEvent } from '../../domain/reservation.events.js';
import { reservations } from '../../reservation.aggregate.js';
import { reservationDepositSaga } from './reservation-deposit.saga.js';

const DEADLINE_SECONDS = 900;
const AT = new Date('2027-03-01T09:00:00.000Z');
const deposit = { amount: 5000, currency: 'EUR' };

const onReservation = <E extends ReservationEvent>(event: E, version = 1) =>
  recordedEvent(event, { aggregateType: 'reservation', aggregateId: RESERVATION_ID, version, occurredAt: AT });
const onPayment = <E extends PaymentEvent>(event: E, version = 2) =>
  recordedEvent(event, { aggregateType: 'payment', aggregateId: RESERVATION_ID, version, occurredAt: AT });

const created = onReservation(reservationCreated({ deposit }));
const captured = onPayment({ type: 'payment.captured', data: { capturedAt: AT.toISOString(), providerReference: 'psp-1' } });
const failed = onPayment({ type: 'payment.failed', data: { reason: 'card declined', failedAt: AT.toISOString() } });
const expired = deadlineReached('deposit', new Date(AT.getTime() + DEADLINE_SECONDS * 1000));

const cancelReservation = (reason: string) =>
  sendTo(reservations, { type: 'CancelReservation', data: { reservationId: RESERVATION_ID, reason } });
const voidPayment = (reason: string) => sendTo(payments, { type: 'VoidPayment', data: { paymentId: RESERVATION_ID, reason } });

describe('the reservation deposit saga', () => {
  const { given } = sagaSpec(reservationDepositSaga(DEADLINE_SECONDS));

  describe('with no instance', () => {
    it('requests the deposit of a reservation made with one, and sets its deadline', () =>
      given()
        .when(created)
        .then({
          send: [
            sendTo(payments, {
              type: 'RequestPayment',
              data: { paymentId: RESERVATION_ID, reservationId: RESERVATION_ID, amount: 5000, currency: 'EUR' },
            }),
          ],
          setDeadlines: [{ name: 'deposit', at: expired.occurredAt }],
        }));

    it('leaves a reservation without a deposit alone', () => {
      expect(reservationDepositSaga(DEADLINE_SECONDS).correlate(onReservation(reservationCreated()))).toBeNull();
    });

    it('ignores a payment it did not ask for', () => given().when(captured).thenIgnores());
  });

  describe('awaiting the deposit', () => {
    it('confirms the reservation once the deposit is captured, and drops the deadline', () =>
      given(created)
        .when(captured)
        .then({
          send: [sendTo(reservations, { type: 'ConfirmReservation', data: { reservationId: RESERVATION_ID } })],
          cancelDeadlines: ['deposit'],
        }));

    it('cancels the reservation with the reason when the payment fails', () =>
      given(created).when(failed).then({ send: [cancelReservation('Deposit payment failed: card declined')], ends: true }));

    describe('with a decline reason longer than a cancellation holds (payment.failed takes 500 characters)', () => {
      const failedWith = (reason: string) => onPayment({ type: 'payment.failed', data: { reason, failedAt: AT.toISOString() } });

      it('cancels with the reason cut to 500 characters, marked as cut', () => {
        const reason = `Issuer declined: ${'x'.repeat(483)}`;
        given(created)
          .when(failedWith(reason))
          .then({ send: [cancelReservation(`${`Deposit payment failed: ${reason}`.slice(0, 499)}…`)], ends: true });
      });

      it('never cuts a character in two', () => {
        const reason = `${'x'.repeat(474)}😀${'y'.repeat(24)}`; // the emoji's two halves straddle the cut
        given(created)
          .when(failedWith(reason))
          .then({ send: [cancelReservation(`Deposit payment failed: ${'x'.repeat(474)}…`)], ends: true });
      });
    });

    it('cancels the reservation and voids the payment when the deadline passes', () =>
      given(created)
        .when(expired)
        .then({ send: [cancelReservation('Deposit not paid in time'), voidPayment('Deposit not paid in time')], ends: true }));

    it('voids the payment of a reservation cancelled by hand, and ends', () =>
      given(created)
        .when(onReservation(reservationCancelled(), 2))
        .then({ send: [voidPayment('Reservation cancelled')], ends: true }));

    it('ends quietly when the reservation is confirmed by hand', () =>
      given(created).when(onReservation(reservationConfirmed(), 2)).then({ ends: true }));
  });

  describe('when the payment cannot be requested', () => {
    it('cancels the reservation, its request refused or given up by an operator', () =>
      given(created)
        .when(commandRefused('RequestPayment', 'GIVEN_UP', 'Given up by operator olga', AT))
        .then({ send: [cancelReservation('Deposit could not be requested: GIVEN_UP')], ends: true }));
  });

  describe('paid, confirming the reservation', () => {
    it('ends once the reservation is confirmed', () => given(created, captured).when(onReservation(reservationConfirmed(), 2)).then({ ends: true }));

    it('voids the captured payment when the confirmation is refused (the reservation closed meanwhile)', () =>
      given(created, captured)
        .when(commandRefused('ConfirmReservation', 'RESERVATION_CLOSED', 'Reservation is cancelled', AT))
        .then({ send: [voidPayment('Reservation closed before its deposit was paid: RESERVATION_CLOSED')], ends: true }));

    it('keeps the captured payment when the confirmation is refused because staff confirmed the reservation meanwhile', () =>
      given(created, captured)
        .when(commandRefused('ConfirmReservation', 'RESERVATION_NOT_READY', 'Reservation cannot be confirmed while confirmed', AT))
        .then({ ends: true }));

    it('voids the captured payment when the confirmation was given up by an operator', () =>
      given(created, captured)
        .when(commandRefused('ConfirmReservation', 'GIVEN_UP', 'Given up by operator olga', AT))
        .then({ send: [voidPayment('Reservation closed before its deposit was paid: GIVEN_UP')], ends: true }));

    it('voids the captured payment when the cancellation by hand reaches it first', () =>
      given(created, captured)
        .when(onReservation(reservationCancelled(), 2))
        .then({ send: [voidPayment('Reservation cancelled')], ends: true }));
  });

  describe('ended', () => {
    it('sends nothing against the reservation it confirmed, whatever comes later', () => {
      const confirmedBySaga = onReservation(reservationConfirmed(), 2);
      given(created, captured, confirmedBySaga).when(onReservation(reservationCancelled(), 3)).thenIgnores();
      given(created, captured, confirmedBySaga).when(expired).thenIgnores();
    });

    it('ignores a late capture after the deadline cancelled the reservation', () => given(created, expired).when(captured).thenIgnores());
  });
});
