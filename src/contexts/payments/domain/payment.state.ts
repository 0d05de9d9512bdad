import { assertNever } from '../../../event-sourcing/domain/index.js';
import type { PaymentEvent } from './payment.events.js';

/**
 * Only what decisions need: the status, the provider's reference to recognise a repeated
 * capture, and the refund's to recognise a repeated confirmation. `refund_due`: money was
 * taken and is owed back (a captured payment voided, or a capture after the void or failure),
 * asked of the provider and not yet confirmed; `refunded`: the provider confirmed it.
 */
export type Payment =
  | { readonly status: 'none' }
  | { readonly status: 'requested' | 'failed' | 'voided' }
  | { readonly status: 'captured' | 'refund_due'; readonly providerReference: string }
  | { readonly status: 'refunded'; readonly providerReference: string; readonly refundReference: string };

export type PaymentStatus = Exclude<Payment['status'], 'none'>;

export const initialPayment: Payment = { status: 'none' };

export const evolvePayment = (state: Payment, event: PaymentEvent): Payment => {
  switch (event.type) {
    case 'payment.requested':
      return { status: 'requested' };
    case 'payment.captured':
      return { status: 'captured', providerReference: event.data.providerReference };
    case 'payment.captured_late':
      return { status: 'refund_due', providerReference: event.data.providerReference };
    case 'payment.failed':
      return { status: 'failed' };
    case 'payment.voided':
      // From the state, not the event: a void stored before voids carried the reference still owes the money.
      return state.status === 'captured'
        ? { status: 'refund_due', providerReference: state.providerReference }
        : { status: 'voided' };
    case 'payment.refund_declined':
      return state; // still owed
    case 'payment.refunded':
      return {
        status: 'refunded',
        providerReference: 'providerReference' in state ? state.providerReference : '',
        refundReference: event.data.refundReference,
      };
    default:
      return assertNever(event);
  }
};
