import { deciderSpec } from '../../../event-sourcing/testing/index.js';
import type { PaymentCommand } from './payment.commands.js';
import { paymentDecider } from './payment.decide.js';
import {
  InvalidCurrency,
  InvalidPaymentAmount,
  PaymentAlreadyExists,
  PaymentClosed,
  PaymentNotFound,
  PaymentNotPending,
} from './payment.errors.js';
import {
  at,
  capturePayment,
  failPayment,
  history,
  PAYMENT_ID,
  paymentCaptured,
  paymentFailed,
  paymentRequested,
  paymentVoided,
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

    it.each(['eur', 'EU', 'EURO', 'E1R', '', ' EUR'])('refuses the currency %p (422 INVALID_CURRENCY)', (currency) =>
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

    it('is voided with the reason', () => given(history.requested).when(voidPayment()).then(paymentVoided()));
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

    it('is voided: the deposit is refunded', () => given(history.captured).when(voidPayment()).then(paymentVoided()));

    it('cannot be requested again (409 PAYMENT_ALREADY_EXISTS)', () =>
      given(history.captured).when(requestPayment()).thenThrows(PaymentAlreadyExists));
  });

  describe.each(['failed', 'voided', 'refunded'] as const)('when %s', (past) => {
    const status = past === 'failed' ? 'failed' : 'voided';

    it.each([
      ['capture', () => capturePayment()],
      ['fail', () => failPayment()],
    ] as const)('refuses to %s it (409 PAYMENT_NOT_PENDING)', (_, command) =>
      given(history[past])
        .when(command())
        .thenThrows(PaymentNotPending, { code: 'PAYMENT_NOT_PENDING', details: { status } }));

    it('refuses to void it (409 PAYMENT_CLOSED)', () =>
      given(history[past])
        .when(voidPayment())
        .thenThrows(PaymentClosed, {
          kind: 'conflict',
          code: 'PAYMENT_CLOSED',
          details: { paymentId: PAYMENT_ID, status },
        }));

    it('cannot be requested again (409 PAYMENT_ALREADY_EXISTS)', () =>
      given(history[past]).when(requestPayment()).thenThrows(PaymentAlreadyExists));
  });
});
