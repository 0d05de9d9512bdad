/** What other contexts may use of reservations. */
export { ReservationsModule } from './reservations.module.js';
export { RESERVATION_EVENT_TYPES, type ReservationEvent } from './domain/reservation.events.js';
