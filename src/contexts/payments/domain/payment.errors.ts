import { domainError } from '../../../event-sourcing/domain/index.js';

export class PaymentNotFound extends domainError('not-found', 'PAYMENT_NOT_FOUND') {
  constructor(paymentId: string) {
    super(`Payment ${paymentId} does not exist`, { paymentId });
  }
}

export class PaymentAlreadyExists extends domainError('conflict', 'PAYMENT_ALREADY_EXISTS') {
  constructor(paymentId: string) {
    super(`Payment ${paymentId} already exists`, { paymentId });
  }
}

/**
 * The provider's answer came for a payment no longer waiting for one: a failure after the
 * capture or the void, or a capture under another reference than the one recorded.
 */
export class PaymentNotPending extends domainError('conflict', 'PAYMENT_NOT_PENDING') {
  constructor(paymentId: string, status: string) {
    super(`Payment ${paymentId} is ${status}, not waiting for the provider`, { paymentId, status });
  }
}

/** Failed, voided or refunded (or its refund asked): there is nothing left to cancel or give back. */
export class PaymentClosed extends domainError('conflict', 'PAYMENT_CLOSED') {
  constructor(paymentId: string, status: string) {
    super(`Payment ${paymentId} is ${status}`, { paymentId, status });
  }
}

export class InvalidPaymentAmount extends domainError('rule-violated', 'INVALID_PAYMENT_AMOUNT') {
  constructor(amount: number) {
    super(`An amount is a whole number of cents above zero, not ${amount}`, { amount });
  }
}

export class InvalidCurrency extends domainError('rule-violated', 'INVALID_CURRENCY') {
  constructor(currency: string) {
    super(`A currency is an ISO 4217 code (such as EUR), not ${JSON.stringify(currency)}`, { currency });
  }
}

/** The provider confirmed a refund of a payment that owes no money back. */
export class NoRefundDue extends domainError('conflict', 'NO_REFUND_DUE') {
  constructor(paymentId: string, status: string) {
    super(`Payment ${paymentId} is ${status}: no refund is due`, { paymentId, status });
  }
}
