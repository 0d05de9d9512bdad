import { byCommandType, type Decider } from '../../../event-sourcing/domain/index.js';
import type { CapturePayment, FailPayment, PaymentCommand, RequestPayment, VoidPayment } from './payment.commands.js';
import {
  InvalidCurrency,
  InvalidPaymentAmount,
  PaymentAlreadyExists,
  PaymentClosed,
  PaymentNotFound,
  PaymentNotPending,
} from './payment.errors.js';
import type { PaymentEvent } from './payment.events.js';
import { evolvePayment, initialPayment, type Payment } from './payment.state.js';

const CURRENCY = /^[A-Z]{3}$/;

const requireExisting = (state: Payment, paymentId: string): Exclude<Payment, { status: 'none' }> => {
  if (state.status === 'none') throw new PaymentNotFound(paymentId);
  return state;
};

/** Capture and failure answer a charge: only a payment still waiting for the provider takes one. */
const requirePending = (state: Payment, paymentId: string): void => {
  const existing = requireExisting(state, paymentId);
  if (existing.status !== 'requested') throw new PaymentNotPending(paymentId, existing.status);
};

export const request = ({ data, metadata }: RequestPayment, state: Payment): PaymentEvent[] => {
  if (state.status !== 'none') throw new PaymentAlreadyExists(data.paymentId);
  // Safe integers only: above 2^53 two amounts could compare equal.
  if (!Number.isSafeInteger(data.amount) || data.amount <= 0) throw new InvalidPaymentAmount(data.amount);
  if (!CURRENCY.test(data.currency)) throw new InvalidCurrency(data.currency);
  const { reservationId, amount, currency } = data;
  return [{ type: 'payment.requested', data: { reservationId, amount, currency, requestedAt: metadata.now } }];
};

export const capture = ({ data, metadata }: CapturePayment, state: Payment): PaymentEvent[] => {
  // Providers repeat their callbacks: the same capture again is already done.
  if (state.status === 'captured' && state.providerReference === data.providerReference) return [];
  requirePending(state, data.paymentId);
  return [{ type: 'payment.captured', data: { capturedAt: metadata.now, providerReference: data.providerReference } }];
};

export const fail = ({ data, metadata }: FailPayment, state: Payment): PaymentEvent[] => {
  requirePending(state, data.paymentId);
  return [{ type: 'payment.failed', data: { reason: data.reason, failedAt: metadata.now } }];
};

/** A requested payment is cancelled; a captured one is refunded (the deposit goes back). */
export const voidPayment = ({ data, metadata }: VoidPayment, state: Payment): PaymentEvent[] => {
  const existing = requireExisting(state, data.paymentId);
  if (existing.status === 'failed' || existing.status === 'voided') {
    throw new PaymentClosed(data.paymentId, existing.status);
  }
  return [{ type: 'payment.voided', data: { reason: data.reason, voidedAt: metadata.now } }];
};

export const paymentDecider: Decider<Payment, PaymentCommand, PaymentEvent> = {
  initialState: initialPayment,
  decide: byCommandType({
    RequestPayment: request,
    CapturePayment: capture,
    FailPayment: fail,
    VoidPayment: voidPayment,
  }),
  evolve: evolvePayment,
};
