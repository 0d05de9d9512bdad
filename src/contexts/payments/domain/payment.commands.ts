import type { Command } from '../../../event-sourcing/domain/index.js';

type Ref = { readonly paymentId: string };

/** Sent by the reservation deposit saga, which chooses the payment's id. */
export type RequestPayment = Command<
  'RequestPayment',
  Ref & { readonly reservationId: string; readonly amount: number; readonly currency: string }
>;
/** A provider's callback: the money is taken. */
export type CapturePayment = Command<'CapturePayment', Ref & { readonly providerReference: string }>;
/** A provider's callback: the charge was declined. */
export type FailPayment = Command<'FailPayment', Ref & { readonly reason: string }>;
/** Cancels a pending charge, or refunds a captured one. */
export type VoidPayment = Command<'VoidPayment', Ref & { readonly reason: string }>;

export type PaymentCommand = RequestPayment | CapturePayment | FailPayment | VoidPayment;
