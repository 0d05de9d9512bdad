import type { CommandMetadata } from '../../../event-sourcing/domain/index.js';
import type { CapturePayment, ConfirmRefund, DeclineRefund, FailPayment, RequestPayment, VoidPayment } from './payment.commands.js';
import type {
  PaymentCaptured,
  PaymentCapturedLate,
  PaymentEvent,
  PaymentFailed,
  PaymentRefundDeclined,
  PaymentRefunded,
  PaymentRequested,
  PaymentVoided,
} from './payment.events.js';

export const PRACTICE_ID = 'practice-harbour';
export const PAYMENT_ID = 'payment-0001';
export const RESERVATION_ID = 'reservation-0001';
export const PROVIDER_REFERENCE = 'ch_0001';
export const DECLINED = 'card declined';
export const REASON = 'reservation cancelled';
export const REFUND_REFERENCE = 're_0001';
export const REFUND_DECLINED = 'card closed';

/** The clock every command in the specs carries, unless a test says otherwise. */
export const NOW = '2027-03-01T09:00:00.000Z';

/** Command metadata: the deposit saga (a system actor) of the practice, acting at NOW. */
export const metadata = (overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({
  now: NOW,
  tenantId: PRACTICE_ID,
  actor: { type: 'system', id: 'deposit-saga' },
  ...overrides,
});

export const at = (now: string): CommandMetadata => metadata({ now });

export const requestPayment = (data: Partial<RequestPayment['data']> = {}, meta = metadata()): RequestPayment => ({
  type: 'RequestPayment',
  data: { paymentId: PAYMENT_ID, reservationId: RESERVATION_ID, amount: 5000, currency: 'EUR', ...data },
  metadata: meta,
});

export const capturePayment = (providerReference = PROVIDER_REFERENCE, meta = metadata()): CapturePayment => ({
  type: 'CapturePayment',
  data: { paymentId: PAYMENT_ID, providerReference },
  metadata: meta,
});

export const failPayment = (reason = DECLINED, meta = metadata()): FailPayment => ({
  type: 'FailPayment',
  data: { paymentId: PAYMENT_ID, reason },
  metadata: meta,
});

export const voidPayment = (reason = REASON, meta = metadata()): VoidPayment => ({
  type: 'VoidPayment',
  data: { paymentId: PAYMENT_ID, reason },
  metadata: meta,
});

export const confirmRefund = (refundReference = REFUND_REFERENCE, meta = metadata()): ConfirmRefund => ({
  type: 'ConfirmRefund',
  data: { paymentId: PAYMENT_ID, refundReference },
  metadata: meta,
});

export const declineRefund = (reason = REFUND_DECLINED, meta = metadata()): DeclineRefund => ({
  type: 'DeclineRefund',
  data: { paymentId: PAYMENT_ID, reason },
  metadata: meta,
});

export const paymentRequested = (data: Partial<PaymentRequested['data']> = {}): PaymentRequested => ({
  type: 'payment.requested',
  data: { reservationId: RESERVATION_ID, amount: 5000, currency: 'EUR', requestedAt: NOW, ...data },
});

export const paymentCaptured = (data: Partial<PaymentCaptured['data']> = {}): PaymentCaptured => ({
  type: 'payment.captured',
  data: { capturedAt: NOW, providerReference: PROVIDER_REFERENCE, ...data },
});

export const paymentFailed = (data: Partial<PaymentFailed['data']> = {}): PaymentFailed => ({
  type: 'payment.failed',
  data: { reason: DECLINED, failedAt: NOW, ...data },
});

export const paymentVoided = (data: Partial<PaymentVoided['data']> = {}): PaymentVoided => ({
  type: 'payment.voided',
  data: { reason: REASON, voidedAt: NOW, ...data },
});

export const paymentCapturedLate = (data: Partial<PaymentCapturedLate['data']> = {}): PaymentCapturedLate => ({
  type: 'payment.captured_late',
  data: { capturedAt: NOW, providerReference: PROVIDER_REFERENCE, ...data },
});

export const paymentRefunded = (data: Partial<PaymentRefunded['data']> = {}): PaymentRefunded => ({
  type: 'payment.refunded',
  data: { refundReference: REFUND_REFERENCE, refundedAt: NOW, ...data },
});

export const paymentRefundDeclined = (data: Partial<PaymentRefundDeclined['data']> = {}): PaymentRefundDeclined => ({
  type: 'payment.refund_declined',
  data: { reason: REFUND_DECLINED, declinedAt: NOW, ...data },
});

const voidedCapture = paymentVoided({ providerReference: PROVIDER_REFERENCE });

/** The history that leaves a payment in each status (and each way to owe a refund). */
export const history = {
  requested: [paymentRequested()],
  captured: [paymentRequested(), paymentCaptured()],
  failed: [paymentRequested(), paymentFailed()],
  voided: [paymentRequested(), paymentVoided()],
  /** A captured payment voided: the refund is asked of the provider. */
  refundDue: [paymentRequested(), paymentCaptured(), voidedCapture],
  /** As stored before voids reached the provider: the void does not name the capture. */
  refundDueStoredBefore: [paymentRequested(), paymentCaptured(), paymentVoided()],
  capturedAfterVoid: [paymentRequested(), paymentVoided(), paymentCapturedLate()],
  capturedAfterFailure: [paymentRequested(), paymentFailed(), paymentCapturedLate()],
  /** The provider declined the refund: the money is still owed. */
  refundDeclined: [paymentRequested(), paymentCaptured(), voidedCapture, paymentRefundDeclined()],
  refunded: [paymentRequested(), paymentCaptured(), voidedCapture, paymentRefunded()],
} as const satisfies Record<string, readonly PaymentEvent[]>;
