import type { Command } from '../../../event-sourcing/domain/index.js';

type Ref = { readonly paymentId: string };

/** Sent by the reservation deposit saga, which chooses the payment's id. */
export type RequestPayment = Command<
  'RequestPayment',
  Ref & { readonly reservationId: string; readonly amount: number; readonly currency: string }
>;
/** A provider's callback: the money is taken (also after the payment was voided or failed: then it is owed back). */
export type CapturePayment = Command<'CapturePayment', Ref & { readonly providerReference: string }>;
/** A provider's callback: the charge was declined. */
export type FailPayment = Command<'FailPayment', Ref & { readonly reason: string }>;
/**
 * Closes the payment: a pending charge is to be cancelled, a captured one refunded. The
 * provider is asked by `ProviderCharges`; a refund counts as done only once it confirms it.
 */
export type VoidPayment = Command<'VoidPayment', Ref & { readonly reason: string }>;
/** A provider's callback: the money owed back (a voided capture, a late capture) was refunded. */
export type ConfirmRefund = Command<'ConfirmRefund', Ref & { readonly refundReference: string }>;

/** A provider's callback: it declined the refund it was asked for; the money is still owed. */
export type DeclineRefund = Command<'DeclineRefund', Ref & { readonly reason: string }>;

export type PaymentCommand = RequestPayment | CapturePayment | FailPayment | VoidPayment | ConfirmRefund | DeclineRefund;
