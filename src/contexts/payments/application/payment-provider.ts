/** What a provider is asked to charge: the payment's id doubles as the provider's idempotency key. */
export interface PaymentCharge {
  /** The practice (tenant) the payment belongs to: its answer is recorded there. */
  readonly practiceId: string;
  readonly paymentId: string;
  /** Integer minor units (cents). */
  readonly amount: number;
  readonly currency: string;
  /** The trace of the request, carried into the answer's command. */
  readonly correlationId?: string;
  /** The `payment.requested` event the charge follows. */
  readonly causationId?: string;
}

/**
 * The payment-provider port. `charge` only hands the charge over and returns: the provider
 * answers later, as a provider's callback does, by recording a capture or a failure (see
 * `ProviderCallbacks`). It may be asked twice for one payment (a redelivered event):
 * adapters pass the payment id as the provider's idempotency key, so the money moves once.
 * A charge it could not hand over throws, so the request is retried.
 */
export interface PaymentProvider {
  charge(charge: PaymentCharge): void;
}

/** Where the module provides the adapter in use. */
export const PAYMENT_PROVIDER = Symbol('PaymentProvider');
