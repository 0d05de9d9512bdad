/** What other contexts may use of reservations. */
export { ReservationsModule } from './reservations.module.js';
export type { ReservationEvent } from './domain/reservation.events.js';
export { reservationEventTypes } from './infrastructure/reservation.event-schemas.js';
