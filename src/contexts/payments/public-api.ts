/** What other contexts may use of payments: the deposit saga sends these commands and follows these events. */
export { PaymentsModule, type PaymentsSettings } from './payments.module.js';
export { payments } from './payment.aggregate.js';
export type {
  CapturePayment,
  FailPayment,
  PaymentCommand,
  RequestPayment,
  VoidPayment,
} from './domain/payment.commands.js';
export type {
  PaymentCaptured,
  PaymentEvent,
  PaymentFailed,
  PaymentRequested,
  PaymentVoided,
} from './domain/payment.events.js';
export { paymentEventTypes } from './infrastructure/payment.event-schemas.js';
