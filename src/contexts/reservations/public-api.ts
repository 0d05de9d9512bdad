/** What other contexts may use of reservations. */
export { ReservationsModule, type ReservationsSettings } from './reservations.module.js';
export type { ReservationEvent } from './domain/reservation.events.js';
export { reservationEventTypes } from './infrastructure/reservation.event-schemas.js';
