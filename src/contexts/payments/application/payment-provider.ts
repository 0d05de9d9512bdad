/**
 * What identifies a request to the provider. Payment ids are chosen by clients (a payment has
 * its reservation's id), so two practices may hold the same one: the provider's keys carry the
 * practice too, or one merchant account would merge two practices' charges.
 */
export interface ProviderRequest {
  /** The practice (tenant) the payment belongs to: the provider's answer is recorded there. */
  readonly practiceId: string;
  readonly paymentId: string;
  /**
   * The charge at the provider, unique across practices: `<practiceId>:<paymentId>` (a practice
   * id is a UUID, without a colon, so the key reads back one way). A cancellation names the
   * charge by it; a real adapter sends it as the charge's metadata or client reference.
   */
  readonly chargeKey: string;
  /**
   * This request's idempotency key at the provider: the charge key for the charge, with
   * `:cancel` or `:refund` for the others (a provider refuses one key reused for another request).
   */
  readonly idempotencyKey: string;
  /** The trace of the request, carried into the answer's command. */
  readonly correlationId?: string;
  /** The event the request follows. */
  readonly causationId?: string;
}

/** What a provider is asked to charge. */
export interface PaymentCharge extends ProviderRequest {
  /** Integer minor units (cents). */
  readonly amount: number;
  readonly currency: string;
}

/** What a provider is asked to give back: the whole of a captured charge. */
export interface PaymentRefund extends PaymentCharge {
  /** The capture's reference, as the provider reported it. */
  readonly providerReference: string;
}

export type ProviderOperation = 'charge' | 'cancel' | 'refund';

/** The keys of a request about a payment: see `ProviderRequest`. */
export const providerKeysOf = (
  practiceId: string,
  paymentId: string,
  operation: ProviderOperation,
): Pick<ProviderRequest, 'chargeKey' | 'idempotencyKey'> => {
  const chargeKey = `${practiceId}:${paymentId}`;
  return { chargeKey, idempotencyKey: operation === 'charge' ? chargeKey : `${chargeKey}:${operation}` };
};

/**
 * The payment-provider port. Each call only hands the request over and returns: the provider
 * answers later, as a provider's callback does (see `ProviderCallbacks`), by recording a
 * capture or a failure of a charge, or the refund it made. Each may be asked twice (a
 * redelivered event): adapters pass the request's `idempotencyKey`, so the money moves once.
 * A request it could not hand over throws, so it is retried.
 */
export interface PaymentProvider {
  charge(charge: PaymentCharge): void;
  /**
   * Cancels a charge not captured yet: it is never captured. One the provider captured
   * meanwhile is reported captured all the same, and then refunded (`payment.captured_late`).
   */
  cancel(charge: ProviderRequest): void;
  /** Gives a captured charge back; the provider answers `refunded` once it has. */
  refund(refund: PaymentRefund): void;
}

/** Where the module provides the adapter in use. */
export const PAYMENT_PROVIDER = Symbol('PaymentProvider');
