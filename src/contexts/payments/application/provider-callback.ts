import type { CapturePayment, ConfirmRefund, DeclineRefund, FailPayment } from '../domain/payment.commands.js';

/** A provider's answer about a charge (captured or failed) or a refund (refunded or declined), as its callback states it. */
export type ProviderCallback =
  | { readonly outcome: 'captured'; readonly providerReference: string }
  | { readonly outcome: 'failed'; readonly reason: string }
  | { readonly outcome: 'refunded'; readonly refundReference: string }
  | { readonly outcome: 'refund_declined'; readonly reason: string };

type CallbackCommand =
  | Pick<CapturePayment, 'type' | 'data'>
  | Pick<FailPayment, 'type' | 'data'>
  | Pick<ConfirmRefund, 'type' | 'data'>
  | Pick<DeclineRefund, 'type' | 'data'>;

/**
 * The command a provider's answer stands for: the one mapping behind the HTTP callback route
 * and the in-process provider alike, so both record an answer the same way.
 */
export const commandForCallback = (paymentId: string, callback: ProviderCallback): CallbackCommand => {
  switch (callback.outcome) {
    case 'captured':
      return { type: 'CapturePayment', data: { paymentId, providerReference: callback.providerReference } };
    case 'failed':
      return { type: 'FailPayment', data: { paymentId, reason: callback.reason } };
    case 'refunded':
      return { type: 'ConfirmRefund', data: { paymentId, refundReference: callback.refundReference } };
    case 'refund_declined':
      return { type: 'DeclineRefund', data: { paymentId, reason: callback.reason } };
  }
};
