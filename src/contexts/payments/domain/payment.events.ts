import type { DomainEvent } from '../../../event-sourcing/domain/index.js';

export type PaymentRequested = DomainEvent<
  'payment.requested',
  {
    readonly reservationId: string;
    /** Integer minor units (cents), above zero. */
    readonly amount: number;
    /** An ISO 4217 code (`Intl.supportedValuesOf('currency')`). */
    readonly currency: string;
    readonly requestedAt: string;
  }
>;
export type PaymentCaptured = DomainEvent<
  'payment.captured',
  { readonly capturedAt: string; readonly providerReference: string }
>;
/**
 * The provider captured a payment already voided or failed (it answered after the void, or its
 * answers came reordered): the guest was charged, and the money is owed back. A type of its
 * own, so that nothing following `payment.captured` (the deposit saga) takes it for a payment.
 */
export type PaymentCapturedLate = DomainEvent<
  'payment.captured_late',
  { readonly capturedAt: string; readonly providerReference: string }
>;
export type PaymentFailed = DomainEvent<'payment.failed', { readonly reason: string; readonly failedAt: string }>;
export type PaymentVoided = DomainEvent<
  'payment.voided',
  {
    readonly reason: string;
    readonly voidedAt: string;
    /**
     * The captured charge the void refunds; absent when a pending charge was cancelled. Events
     * stored before voids reached the provider never carry it, even after a capture.
     */
    readonly providerReference?: string;
  }
>;
/** The provider confirmed the refund of the money owed back: only now has it gone back. */
export type PaymentRefunded = DomainEvent<
  'payment.refunded',
  { readonly refundReference: string; readonly refundedAt: string }
>;
/**
 * The provider declined the refund it was asked for (the card closed, say): the money is still
 * owed, and the payment still `refund_due`. Each decline the provider sends is recorded.
 */
export type PaymentRefundDeclined = DomainEvent<
  'payment.refund_declined',
  { readonly reason: string; readonly declinedAt: string }
>;

export type PaymentEvent =
  | PaymentRequested
  | PaymentCaptured
  | PaymentCapturedLate
  | PaymentFailed
  | PaymentVoided
  | PaymentRefunded
  | PaymentRefundDeclined;
