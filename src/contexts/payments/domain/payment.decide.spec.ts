import { deciderSpec } from '../../../event-sourcing/testing/index.js';
import type { PaymentCommand } from './payment.commands.js';
import { paymentDecider } from './payment.decide.js';
import {
  InvalidCurrency,
  InvalidPaymentAmount,
  NoRefundDue,
  PaymentAlreadyExists,
  PaymentClosed,
  PaymentNotFound,
  PaymentNotPending,
} from './payment.errors.js';
import {
  at,
  capturePayment,
  confirmRefund,
  declineRefund,
  failPayment,
  history,
  PAYMENT_ID,
  paymentCaptured,
  paymentCapturedLate,
  paymentFailed,
  paymentRefundDeclined,
  paymentRefunded,
  paymentRequested,
  paymentVoided,
  PROVIDER_REFERENCE,
  requestPayment,
  voidPayment,
} from './payment.fixtures.js';

const { given } = deciderSpec(paymentDecider);
const LATER = '2027-03-01T09:00:01.000Z';

/** Every command but the request: what can be asked of a payment that exists. */
const LATER_COMMANDS: readonly [string, () => PaymentCommand][] = [
  ['capture', () => capturePayment()],
  ['fail', () => failPayment()],
  ['void', () => voidPayment()],
  ['confirm the refund of', () => confirmRefund()],
];

describe('Payment', () => {
  describe('when it does not exist', () => {
    it('is requested for the reservation, amount and currency, at the command time', () =>
      given().when(requestPayment()).then(paymentRequested()));

    it.each([1, Number.MAX_SAFE_INTEGER])('is requested for %p cents', (amount) =>
      given().when(requestPayment({ amount })).then(paymentRequested({ amount })));

    it.each([0, -100, 12.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
      'refuses an amount of %p (422 INVALID_PAYMENT_AMOUNT)',
      (amount) =>
        given()
          .when(requestPayment({ amount }))
          .thenThrows(InvalidPaymentAmount, {
            kind: 'rule-violated',
            code: 'INVALID_PAYMENT_AMOUNT',
            details: { amount },
          }),
    );

    it.each(['JPY', 'BHD', 'CHF'])('is requested in %p', (currency) =>
      given().when(requestPayment({ currency })).then(paymentRequested({ currency })));

    // ABC, ZZZ, EUU: three capitals that are no ISO 4217 code.
    it.each(['eur', 'EU', 'EURO', 'E1R', '', ' EUR', 'ABC', 'ZZZ', 'EUU'])('refuses the currency %p (422 INVALID_CURRENCY)', (currency) =>
      given()
        .when(requestPayment({ currency }))
        .thenThrows(InvalidCurrency, { kind: 'rule-violated', code: 'INVALID_CURRENCY', details: { currency } }));

    it.each(LATER_COMMANDS)('refuses to %s it (404 PAYMENT_NOT_FOUND)', (_, command) =>
      given()
        .when(command())
        .thenThrows(PaymentNotFound, {
          kind: 'not-found',
          code: 'PAYMENT_NOT_FOUND',
          details: { paymentId: PAYMENT_ID },
        }));
  });

  describe('when requested', () => {
    it('cannot be requested again (409 PAYMENT_ALREADY_EXISTS)', () =>
      given(history.requested)
        .when(requestPayment())
        .thenThrows(PaymentAlreadyExists, { kind: 'conflict', code: 'PAYMENT_ALREADY_EXISTS' }));

    it('is captured with the provider reference, at the callback time', () =>
      given(history.requested)
        .when(capturePayment('ch_9', at(LATER)))
        .then(paymentCaptured({ providerReference: 'ch_9', capturedAt: LATER })));

    it('fails with the reason', () =>
      given(history.requested)
        .when(failPayment('insufficient funds'))
        .then(paymentFailed({ reason: 'insufficient funds' })));

    it('is voided with the reason (its charge is to be cancelled)', () =>
      given(history.requested).when(voidPayment()).then(paymentVoided()));

    it('refuses a refund decline (409 NO_REFUND_DUE)', () =>
      given(history.requested).when(declineRefund()).thenThrows(NoRefundDue, { details: { status: 'requested' } }));

    it('refuses a refund confirmation (409 NO_REFUND_DUE)', () =>
      given(history.requested)
        .when(confirmRefund())
        .thenThrows(NoRefundDue, { kind: 'conflict', code: 'NO_REFUND_DUE', details: { status: 'requested' } }));
  });

  describe('when captured', () => {
    it('decides nothing on a repeated callback with the same provider reference', () =>
      given(history.captured).when(capturePayment()).then());

    it('refuses a capture under another provider reference (409 PAYMENT_NOT_PENDING)', () =>
      given(history.captured)
        .when(capturePayment('ch_other'))
        .thenThrows(PaymentNotPending, {
          kind: 'conflict',
          code: 'PAYMENT_NOT_PENDING',
          details: { status: 'captured' },
        }));

    it('refuses a failure (409 PAYMENT_NOT_PENDING)', () =>
      given(history.captured).when(failPayment()).thenThrows(PaymentNotPending, { details: { status: 'captured' } }));

    it('is voided naming the capture: the deposit is to be refunded', () =>
      given(history.captured).when(voidPayment()).then(paymentVoided({ providerReference: PROVIDER_REFERENCE })));

    it('refuses a refund decline (409 NO_REFUND_DUE): nothing is owed back', () =>
      given(history.captured).when(declineRefund()).thenThrows(NoRefundDue, { details: { status: 'captured' } }));

    it('refuses a refund confirmation (409 NO_REFUND_DUE): nothing is owed back', () =>
      given(history.captured).when(confirmRefund()).thenThrows(NoRefundDue, { details: { status: 'captured' } }));

    it('cannot be requested again (409 PAYMENT_ALREADY_EXISTS)', () =>
      given(history.captured).when(requestPayment()).thenThrows(PaymentAlreadyExists));
  });

  describe.each(['failed', 'voided'] as const)('when %s', (past) => {
    // A fact about money, not a request it may refuse: the guest was charged, and is owed it back.
    it('records a capture from the provider as late, under its reference', () =>
      given(history[past])
        .when(capturePayment('ch_late', at(LATER)))
        .then(paymentCapturedLate({ providerReference: 'ch_late', capturedAt: LATER })));

    it('refuses a failure (409 PAYMENT_NOT_PENDING)', () =>
      given(history[past])
        .when(failPayment())
        .thenThrows(PaymentNotPending, { code: 'PAYMENT_NOT_PENDING', details: { status: past } }));

    it('refuses to void it (409 PAYMENT_CLOSED)', () =>
      given(history[past])
        .when(voidPayment())
        .thenThrows(PaymentClosed, {
          kind: 'conflict',
          code: 'PAYMENT_CLOSED',
          details: { paymentId: PAYMENT_ID, status: past },
        }));

    it('refuses a refund decline (409 NO_REFUND_DUE): no money was taken', () =>
      given(history[past]).when(declineRefund()).thenThrows(NoRefundDue, { details: { status: past } }));

    it('refuses a refund confirmation (409 NO_REFUND_DUE): no money was taken', () =>
      given(history[past]).when(confirmRefund()).thenThrows(NoRefundDue, { details: { status: past } }));

    it('cannot be requested again (409 PAYMENT_ALREADY_EXISTS)', () =>
      given(history[past]).when(requestPayment()).thenThrows(PaymentAlreadyExists));
  });

  describe.each(['refundDue', 'refundDueStoredBefore', 'capturedAfterVoid', 'capturedAfterFailure', 'refundDeclined'] as const)(
    'when it owes the money back (%s)',
    (owing) => {
      it('is refunded on the provider\'s confirmation', () =>
        given(history[owing]).when(confirmRefund('re_9', at(LATER))).then(paymentRefunded({ refundReference: 're_9', refundedAt: LATER })));

      it('records the provider\'s decline of the refund with its reason, and goes on owing it', () =>
        given(history[owing]).when(declineRefund('account closed', at(LATER))).then(paymentRefundDeclined({ reason: 'account closed', declinedAt: LATER })));

      it('decides nothing on the same capture again', () => given(history[owing]).when(capturePayment()).then());

      it('refuses a capture under another reference (409 PAYMENT_NOT_PENDING)', () =>
        given(history[owing])
          .when(capturePayment('ch_other'))
          .thenThrows(PaymentNotPending, { details: { status: 'refund_due' } }));

      it.each([
        ['fail', () => failPayment(), PaymentNotPending],
        ['void', () => voidPayment(), PaymentClosed],
      ] as const)('refuses to %s it (409)', (_, command, error) =>
        given(history[owing]).when(command()).thenThrows(error, { details: { status: 'refund_due' } }));
    },
  );

  describe('when refunded', () => {
    it('decides nothing on the same confirmation again', () => given(history.refunded).when(confirmRefund()).then());

    it('decides nothing on the same capture again', () => given(history.refunded).when(capturePayment()).then());

    it('refuses a confirmation of another refund (409 NO_REFUND_DUE)', () =>
      given(history.refunded).when(confirmRefund('re_other')).thenThrows(NoRefundDue, { details: { status: 'refunded' } }));

    it('refuses a decline of the refund it confirmed (409 NO_REFUND_DUE)', () =>
      given(history.refunded).when(declineRefund()).thenThrows(NoRefundDue, { details: { status: 'refunded' } }));

    it.each([
      ['fail', () => failPayment(), PaymentNotPending],
      ['void', () => voidPayment(), PaymentClosed],
      ['request', () => requestPayment(), PaymentAlreadyExists],
    ] as const)('refuses to %s it (409)', (_, command, error) => given(history.refunded).when(command()).thenThrows(error));
  });
});
