import { IsInt, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { eventTypesOf, type EventSchemas } from '../../../event-sourcing/index.js';
import type { PaymentEvent } from '../domain/payment.events.js';

// Shapes only; the business rules (amount above zero, ISO 4217 currency) live in the decider.

class PaymentRequestedPayload {
  @IsString() @Length(1, 255) reservationId!: string;
  @IsInt() amount!: number;
  @IsString() @Length(3, 3) currency!: string;
  @IsISO8601() requestedAt!: string;
}

class PaymentCapturedPayload {
  @IsISO8601() capturedAt!: string;
  @IsString() @Length(1, 255) providerReference!: string;
}

class PaymentFailedPayload {
  @IsString() @Length(1, 500) reason!: string;
  @IsISO8601() failedAt!: string;
}

class PaymentVoidedPayload {
  @IsString() @Length(1, 500) reason!: string;
  @IsISO8601() voidedAt!: string;
  // Optional: absent for a cancelled charge, and on every void stored before voids carried it.
  @IsOptional() @IsString() @Length(1, 255) providerReference?: string;
}

class PaymentRefundedPayload {
  @IsString() @Length(1, 255) refundReference!: string;
  @IsISO8601() refundedAt!: string;
}

class PaymentRefundDeclinedPayload {
  @IsString() @Length(1, 500) reason!: string;
  @IsISO8601() declinedAt!: string;
}

/** The payload schema of each payment event type. */
export const paymentEventSchemas: EventSchemas<PaymentEvent> = {
  'payment.requested': PaymentRequestedPayload,
  'payment.captured': PaymentCapturedPayload,
  'payment.captured_late': PaymentCapturedPayload,
  'payment.failed': PaymentFailedPayload,
  'payment.voided': PaymentVoidedPayload,
  'payment.refunded': PaymentRefundedPayload,
  'payment.refund_declined': PaymentRefundDeclinedPayload,
};

/** Every payment event type: what projections of the whole lifecycle handle. */
export const paymentEventTypes = eventTypesOf(paymentEventSchemas);
