import type { ReservationRow, ReservationStatus } from '../infrastructure/reservation-list.projection.js';

/** A reservation as the API shows it. */
export interface ReservationView {
  readonly reservationId: string;
  readonly practiceId: string;
  readonly guestId: string;
  readonly guestName: string;
  readonly status: ReservationStatus;
  readonly checkInDate: string;
  readonly checkOutDate: string;
  readonly nights: number;
  readonly cancelReason: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

export const toReservationView = (row: ReservationRow): ReservationView => ({
  reservationId: row.reservation_id,
  practiceId: row.practice_id,
  guestId: row.guest_id,
  guestName: row.guest_name,
  status: row.status,
  checkInDate: row.check_in_date,
  checkOutDate: row.check_out_date,
  nights: row.nights,
  cancelReason: row.cancel_reason,
  version: row.version,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});
