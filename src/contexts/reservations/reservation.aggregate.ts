import { defineAggregate, LOWER_CASE_UUID } from '../../event-sourcing/index.js';
import { reservationCommandFor, reservationDecider } from './domain/reservation.decide.js';
import { reservationListChanges } from './infrastructure/reservation-list.projection.js';
import { reservationEventSchemas } from './infrastructure/reservation.event-schemas.js';

/** A reservation of a practice: its rules, its events' schemas and the list it keeps inline. */
export const reservations = defineAggregate({
  type: 'reservation',
  decider: reservationDecider,
  idOf: (command) => command.data.reservationId,
  // Ids are compared as text: the same UUID in capitals would be another one.
  idFormat: LOWER_CASE_UUID,
  events: reservationEventSchemas,
  inlineProjections: [reservationListChanges],
  snapshots: { every: 50, schemaVersion: 1 },
  directAppends: reservationCommandFor,
});
