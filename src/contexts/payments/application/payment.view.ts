import type { PaymentStatus } from '../domain/payment.state.js';
import type { PaymentRow } from '../infrastructure/payment-list.projection.js';

/** A payment as the API shows it. */
export interface PaymentView {
  readonly paymentId: string;
  readonly practiceId: string;
  readonly reservationId: string;
  readonly status: PaymentStatus;
  /** Integer minor units (cents). */
  readonly amount: number;
  readonly currency: string;
  /** The provider's reference of the capture: the money was taken (see `status` for whether it went back). */
  readonly providerReference: string | null;
  /** Why it failed or was voided. */
  readonly reason: string | null;
  /** Captured after it was voided or failed: the guest was charged all the same, and is refunded. */
  readonly capturedLate: boolean;
  /** The provider's reference of the refund, once it confirmed it (`refunded`). */
  readonly refundReference: string | null;
  /** Why the provider declined the refund still owed (`refund_due`); null once it confirms one. */
  readonly refundDeclinedReason: string | null;
  readonly version: number;
  readonly requestedAt: string;
  readonly updatedAt: string;
}

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

export const toPaymentView = (row: PaymentRow): PaymentView => ({
  paymentId: row.payment_id,
  practiceId: row.practice_id,
  reservationId: row.reservation_id,
  status: row.status,
  // bigint comes back as a string; the decider keeps amounts within safe integers.
  amount: Number(row.amount),
  currency: row.currency,
  providerReference: row.provider_reference,
  reason: row.reason,
  capturedLate: row.captured_late,
  refundReference: row.refund_reference,
  refundDeclinedReason: row.refund_declined_reason,
  version: row.version,
  requestedAt: iso(row.requested_at),
  updatedAt: iso(row.updated_at),
});
