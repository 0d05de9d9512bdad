import type { DomainEvent } from '../../../event-sourcing/domain/index.js';

export type PaymentRequested = DomainEvent<
  'payment.requested',
  {
    readonly reservationId: string;
    /** Integer minor units (cents), above zero. */
    readonly amount: number;
    /** ISO 4217, three upper-case letters. */
    readonly currency: string;
    readonly requestedAt: string;
  }
>;
export type PaymentCaptured = DomainEvent<
  'payment.captured',
  { readonly capturedAt: string; readonly providerReference: string }
>;
export type PaymentFailed = DomainEvent<'payment.failed', { readonly reason: string; readonly failedAt: string }>;
export type PaymentVoided = DomainEvent<'payment.voided', { readonly reason: string; readonly voidedAt: string }>;

export type PaymentEvent = PaymentRequested | PaymentCaptured | PaymentFailed | PaymentVoided;
