import { assertNever } from '../../../event-sourcing/domain/index.js';
import type { PaymentEvent } from './payment.events.js';

/** Only what decisions need: the status, and the provider's reference to recognise a repeated capture. */
export type Payment =
  | { readonly status: 'none' | 'requested' | 'failed' | 'voided' }
  | { readonly status: 'captured'; readonly providerReference: string };

export type PaymentStatus = Exclude<Payment['status'], 'none'>;

export const initialPayment: Payment = { status: 'none' };

export const evolvePayment = (state: Payment, event: PaymentEvent): Payment => {
  switch (event.type) {
    case 'payment.requested':
      return { status: 'requested' };
    case 'payment.captured':
      return { status: 'captured', providerReference: event.data.providerReference };
    case 'payment.failed':
      return { status: 'failed' };
    case 'payment.voided':
      return { status: 'voided' };
    default:
      return assertNever(event);
  }
};
