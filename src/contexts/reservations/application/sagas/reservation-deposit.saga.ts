import { deadlineAfter, defineSaga, sendTo, type Reaction, type SagaMessage } from '../../../../event-sourcing/index.js';
import { payments, type PaymentEvent } from '../../../payments/public-api.js';
import { MAX_CANCEL_REASON_LENGTH } from '../../domain/reservation.commands.js';
import type { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../../domain/reservation.events.js';
import { reservations } from '../../reservation.aggregate.js';

type DepositEvent = ReservationCreated | ReservationConfirmed | ReservationCancelled | PaymentEvent;

/** Where a deposit stands; plain JSON, as saga states are stored. */
export type DepositProcess =
  | { readonly status: 'none' }
  | { readonly status: 'awaiting'; readonly reservationId: string; readonly amount: number; readonly currency: string }
  /** Paid: the reservation's confirmation is on its way (and may be refused, if it closed meanwhile). */
  | { readonly status: 'confirming'; readonly reservationId: string }
  | { readonly status: 'ended'; readonly outcome: 'paid' | 'payment-failed' | 'expired' | 'closed-by-hand' | 'refunded' };

const DEADLINE = 'deposit';

/**
 * `text` cut to what a cancellation's reason holds, marked with an ellipsis: a provider's decline
 * reason (up to 500 characters on `payment.failed`) behind the saga's prefix may be longer, and
 * a cancellation its event cannot hold would leave the reservation pending. Cut between
 * characters, never inside a surrogate pair (a lone surrogate is no storable text).
 */
const fitCancelReason = (text: string): string => {
  if (text.length <= MAX_CANCEL_REASON_LENGTH) return text;
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > MAX_CANCEL_REASON_LENGTH - 1) break;
    kept += character;
  }
  return `${kept}…`;
};
const REQUEST_PAYMENT = 'RequestPayment';
/**
 * The refusal of a confirmation whose reservation is past `pending`: confirmed (by staff, before
 * the saga's command reached it) or checked in since. It stays, so its deposit stays too. Any
 * other refusal (`RESERVATION_CLOSED`: cancelled or completed; `GIVEN_UP` by an operator) leaves
 * it unconfirmed by this saga: the deposit is voided. The refusal can reach the saga before the
 * `reservation.confirmed` event that explains it, so the code decides, not the order they come in.
 */
const CONFIRMED_ALREADY = 'RESERVATION_NOT_READY';

/**
 * A reservation made with a deposit is confirmed once the deposit is paid, and cancelled if the
 * payment fails or does not arrive in time (the payment is then voided). A reservation
 * confirmed or cancelled by hand meanwhile ends it (a cancelled one's payment is voided, even
 * when it was captured: the confirmation the saga sent is then refused, or the cancellation
 * reaches it first; a confirmed one keeps it, also when the saga's own confirmation is refused
 * because of it). A payment that cannot be requested (the command refused, or given up by
 * an operator) cancels the reservation. The payment of a reservation has the reservation's id, so payment events
 * find their instance.
 */
export const reservationDepositSaga = (deadlineSeconds: number) =>
  defineSaga<DepositProcess, DepositEvent>({
    name: 'reservation-deposit',
    startedBy: ['reservation.created'],
    follows: ['payment.captured', 'payment.failed', 'reservation.confirmed', 'reservation.cancelled'],
    correlate: (event) => (event.type === 'reservation.created' && !event.data.deposit ? null : event.aggregateId),
    initialState: { status: 'none' },
    evolve: (state, message) => {
      switch (message.type) {
        case 'reservation.created': {
          const { reservationId, deposit } = message.data;
          return deposit ? { status: 'awaiting', reservationId, ...deposit } : state;
        }
        case 'payment.captured':
          return state.status === 'awaiting' ? { status: 'confirming', reservationId: state.reservationId } : state;
        case 'payment.failed':
          return { status: 'ended', outcome: 'payment-failed' };
        case 'deadline.reached':
          return { status: 'ended', outcome: 'expired' };
        case 'reservation.confirmed':
          return { status: 'ended', outcome: state.status === 'confirming' ? 'paid' : 'closed-by-hand' };
        case 'reservation.cancelled':
          return { status: 'ended', outcome: state.status === 'confirming' ? 'refunded' : 'closed-by-hand' };
        case 'command.refused':
          if (message.data.commandType === REQUEST_PAYMENT) return { status: 'ended', outcome: 'payment-failed' };
          return { status: 'ended', outcome: message.data.code === CONFIRMED_ALREADY ? 'paid' : 'refunded' };
        default:
          return state; // payment.requested and payment.voided: the saga's own doing, not followed
      }
    },
    react: (message, state) => (message.type === 'reservation.created' ? requestDeposit(message, deadlineSeconds) : settle(message, state)),
    isDone: (state) => state.status === 'ended',
  });

const requestDeposit = (message: Extract<SagaMessage<DepositEvent>, { type: 'reservation.created' }>, deadlineSeconds: number): Reaction => {
  const { reservationId, deposit } = message.data;
  if (!deposit) return {};
  return {
    send: [sendTo(payments, { type: 'RequestPayment', data: { paymentId: reservationId, reservationId, ...deposit } })],
    setDeadlines: [deadlineAfter(DEADLINE, deadlineSeconds, message)],
  };
};

const settle = (message: SagaMessage<DepositEvent>, state: DepositProcess): Reaction => {
  if (state.status !== 'awaiting' && state.status !== 'confirming') return {};
  const { reservationId } = state;
  const cancel = (reason: string) =>
    sendTo(reservations, { type: 'CancelReservation', data: { reservationId, reason: fitCancelReason(reason) } });
  const voidPayment = (reason: string) => sendTo(payments, { type: 'VoidPayment', data: { paymentId: reservationId, reason } });
  switch (message.type) {
    case 'payment.captured':
      return {
        send: [sendTo(reservations, { type: 'ConfirmReservation', data: { reservationId } })],
        cancelDeadlines: [DEADLINE],
      };
    case 'payment.failed':
      return { send: [cancel(`Deposit payment failed: ${message.data.reason}`)] };
    case 'deadline.reached':
      return { send: [cancel('Deposit not paid in time'), voidPayment('Deposit not paid in time')] };
    case 'reservation.cancelled':
      return { send: [voidPayment('Reservation cancelled')] };
    case 'command.refused':
      // The payment could not even be requested (refused, or given up by an operator): no deposit will come.
      if (message.data.commandType === REQUEST_PAYMENT) return { send: [cancel(`Deposit could not be requested: ${message.data.code}`)] };
      // The confirmation, of a reservation confirmed by hand meanwhile: it keeps its deposit.
      if (message.data.code === CONFIRMED_ALREADY) return {};
      // The confirmation, of a reservation closed after its deposit was captured (or given up).
      return { send: [voidPayment(`Reservation closed before its deposit was paid: ${message.data.code}`)] };
    default:
      return {}; // confirmed (by hand, or by this saga's own command): nothing more to do
  }
};
