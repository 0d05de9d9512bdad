import {
  foldOfChanges,
  type EventOf,
  type FoldProjectionDefinition,
  type PendingEvent,
  type Row,
  type RowChange,
  type RowChangeProjectionDefinition,
} from '../../../event-sourcing/index.js';
import type { ReservationEvent } from '../domain/reservation.events.js';
import { reservationEventTypes } from './reservation.event-schemas.js';
import { checkOutOf } from '../domain/stay.js';

export type ReservationStatus = 'pending' | 'confirmed' | 'checked_in' | 'completed' | 'cancelled';

/** A row of the `reservations` table: the list and detail screens of a practice. */
export interface ReservationRow extends Row {
  practice_id: string;
  reservation_id: string;
  guest_id: string;
  guest_name: string;
  status: ReservationStatus;
  check_in_date: string;
  nights: number;
  check_out_date: string;
  cancel_reason: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

/**
 * What each event does to its reservation's row. No change needs the row as it was, so the
 * inline projection writes it in the append's own statement; events on a reservation that
 * has no row change nothing.
 */
export const reservationRowChange = (event: EventOf<ReservationEvent, PendingEvent>): RowChange<ReservationRow> | null => {
  if (event.type === 'reservation.created') {
    const { data } = event;
    return {
      put: {
        practice_id: event.tenantId,
        reservation_id: event.aggregateId,
        guest_id: data.guestId,
        guest_name: data.guestName,
        status: 'pending',
        check_in_date: data.checkInDate,
        nights: data.nights,
        check_out_date: checkOutOf(data.checkInDate, data.nights),
        cancel_reason: null,
        version: event.version,
        created_at: data.createdAt,
        updated_at: data.createdAt,
      },
    };
  }
  const touched = { version: event.version, updated_at: event.occurredAt.toISOString() };
  switch (event.type) {
    case 'reservation.confirmed':
      return { set: { ...touched, status: 'confirmed' } };
    case 'reservation.changed':
      return {
        set: {
          ...touched,
          check_in_date: event.data.checkInDate,
          nights: event.data.nights,
          check_out_date: checkOutOf(event.data.checkInDate, event.data.nights),
        },
      };
    case 'reservation.checked_in':
      return { set: { ...touched, status: 'checked_in' } };
    case 'reservation.completed':
      return { set: { ...touched, status: 'completed' } };
    case 'reservation.cancelled':
      return { set: { ...touched, status: 'cancelled', cancel_reason: event.data.reason } };
  }
};

export const reservationListChanges = {
  name: 'reservation-list',
  handles: reservationEventTypes,
  table: 'reservations',
  keyColumns: ['practice_id', 'reservation_id'],
  keyOf: (event) => [event.tenantId, event.aggregateId],
  changeOf: reservationRowChange,
  personal: { tenant: 'practice_id', subject: 'guest_id', columns: ['guest_name'] },
} satisfies RowChangeProjectionDefinition<ReservationRow, ReservationEvent>;

/** The same read model as a fold, for temporal reads (`?asOf=`, `?version=`) and rebuilds. */
export const reservationListProjection: FoldProjectionDefinition<ReservationRow, ReservationEvent> = foldOfChanges(reservationListChanges);

export const evolveReservationRow = reservationListProjection.evolve;
