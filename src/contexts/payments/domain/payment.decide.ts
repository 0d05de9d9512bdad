import { byCommandType, type Decider } from '../../../event-sourcing/domain/index.js';
import type {
  CapturePayment,
  ConfirmRefund,
  DeclineRefund,
  FailPayment,
  PaymentCommand,
  RequestPayment,
  VoidPayment,
} from './payment.commands.js';
import { isIsoCurrency } from './currency.js';
import {
  InvalidCurrency,
  InvalidPaymentAmount,
  NoRefundDue,
  PaymentAlreadyExists,
  PaymentClosed,
  PaymentNotFound,
  PaymentNotPending,
} from './payment.errors.js';
import type { PaymentEvent } from './payment.events.js';
import { evolvePayment, initialPayment, type Payment } from './payment.state.js';

const requireExisting = (state: Payment, paymentId: string): Exclude<Payment, { status: 'none' }> => {
  if (state.status === 'none') throw new PaymentNotFound(paymentId);
  return state;
};

export const request = ({ data, metadata }: RequestPayment, state: Payment): PaymentEvent[] => {
  if (state.status !== 'none') throw new PaymentAlreadyExists(data.paymentId);
  // Safe integers only: above 2^53 two amounts could compare equal.
  if (!Number.isSafeInteger(data.amount) || data.amount <= 0) throw new InvalidPaymentAmount(data.amount);
  if (!isIsoCurrency(data.currency)) throw new InvalidCurrency(data.currency);
  const { reservationId, amount, currency } = data;
  return [{ type: 'payment.requested', data: { reservationId, amount, currency, requestedAt: metadata.now } }];
};

/**
 * A capture is a fact about money, not a request the payment may turn down: one that comes
 * after the void (the provider answered first, or the cancellation lost the race) or after a
 * failure (answers reordered) is recorded as late, and the money is owed back. Refused only
 * under another reference than the one already recorded: the provider charged once per key.
 */
export const capture = ({ data, metadata }: CapturePayment, state: Payment): PaymentEvent[] => {
  const existing = requireExisting(state, data.paymentId);
  const fact = { capturedAt: metadata.now, providerReference: data.providerReference };
  switch (existing.status) {
    case 'requested':
      return [{ type: 'payment.captured', data: fact }];
    case 'voided':
    case 'failed':
      return [{ type: 'payment.captured_late', data: fact }];
    default:
      // Providers repeat their callbacks: the same capture again is already done.
      if (existing.providerReference === data.providerReference) return [];
      throw new PaymentNotPending(data.paymentId, existing.status);
  }
};

export const fail = ({ data, metadata }: FailPayment, state: Payment): PaymentEvent[] => {
  const existing = requireExisting(state, data.paymentId);
  if (existing.status !== 'requested') throw new PaymentNotPending(data.paymentId, existing.status);
  return [{ type: 'payment.failed', data: { reason: data.reason, failedAt: metadata.now } }];
};

/** A requested payment's charge is to be cancelled; a captured one's refunded (the reference says which charge). */
export const voidPayment = ({ data, metadata }: VoidPayment, state: Payment): PaymentEvent[] => {
  const existing = requireExisting(state, data.paymentId);
  const voided = { reason: data.reason, voidedAt: metadata.now };
  switch (existing.status) {
    case 'requested':
      return [{ type: 'payment.voided', data: voided }];
    case 'captured':
      return [{ type: 'payment.voided', data: { ...voided, providerReference: existing.providerReference } }];
    default:
      throw new PaymentClosed(data.paymentId, existing.status);
  }
};

export const confirmRefund = ({ data, metadata }: ConfirmRefund, state: Payment): PaymentEvent[] => {
  const existing = requireExisting(state, data.paymentId);
  // Providers repeat their callbacks: the same confirmation again is already recorded.
  if (existing.status === 'refunded' && existing.refundReference === data.refundReference) return [];
  if (existing.status !== 'refund_due') throw new NoRefundDue(data.paymentId, existing.status);
  return [{ type: 'payment.refunded', data: { refundReference: data.refundReference, refundedAt: metadata.now } }];
};

/** Only a refund still owed can be declined; the payment goes on owing it. */
export const declineRefund = ({ data, metadata }: DeclineRefund, state: Payment): PaymentEvent[] => {
  const existing = requireExisting(state, data.paymentId);
  if (existing.status !== 'refund_due') throw new NoRefundDue(data.paymentId, existing.status);
  return [{ type: 'payment.refund_declined', data: { reason: data.reason, declinedAt: metadata.now } }];
};

export const paymentDecider: Decider<Payment, PaymentCommand, PaymentEvent> = {
  initialState: initialPayment,
  decide: byCommandType({
    RequestPayment: request,
    CapturePayment: capture,
    FailPayment: fail,
    VoidPayment: voidPayment,
    ConfirmRefund: confirmRefund,
    DeclineRefund: declineRefund,
  }),
  evolve: evolvePayment,
};
