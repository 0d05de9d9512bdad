import { defineAggregate } from '../../event-sourcing/index.js';
import { paymentDecider } from './domain/payment.decide.js';
import { paymentListChanges } from './infrastructure/payment-list.projection.js';
import { paymentEventSchemas } from './infrastructure/payment.event-schemas.js';

/**
 * A reservation's deposit: its rules, its events' schemas and the row it keeps inline. No
 * direct appends: a payment's facts come from the saga and the provider, never from the events API.
 */
export const payments = defineAggregate({
  type: 'payment',
  decider: paymentDecider,
  idOf: (command) => command.data.paymentId,
  events: paymentEventSchemas,
  inlineProjections: [paymentListChanges],
});
