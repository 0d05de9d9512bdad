import type { CapturePayment, FailPayment } from '../domain/payment.commands.js';

/** A provider's answer about a charge, as its callback states it. */
export type ProviderCallback =
  | { readonly outcome: 'captured'; readonly providerReference: string }
  | { readonly outcome: 'failed'; readonly reason: string };

type CallbackCommand = Pick<CapturePayment, 'type' | 'data'> | Pick<FailPayment, 'type' | 'data'>;

/**
 * The command a provider's answer stands for: the one mapping behind the HTTP callback route
 * and the in-process provider alike, so both record an answer the same way.
 */
export const commandForCallback = (paymentId: string, callback: ProviderCallback): CallbackCommand =>
  callback.outcome === 'captured'
    ? { type: 'CapturePayment', data: { paymentId, providerReference: callback.providerReference } }
    : { type: 'FailPayment', data: { paymentId, reason: callback.reason } };
