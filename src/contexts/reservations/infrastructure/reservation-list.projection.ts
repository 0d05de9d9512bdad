import type { FoldProjectionDefinition, Row } from '../../../event-sourcing/projections/fold-projection.js';
import type { RecordedEvent } from '../../../event-sourcing/store/event-envelope.js';
import { RESERVATION_EVENT_TYPES, type ReservationEvent } from '../domain/reservation.events.js';
import { nightsOf } from '../domain/stay.js';

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

const checkOutOf = (checkInDate: string, nights: number): string => nightsOf(checkInDate, nights + 1)[nights];

export const evolveReservationRow = (row: ReservationRow | null, recorded: RecordedEvent): ReservationRow | null => {
  const event = recorded as unknown as ReservationEvent & RecordedEvent;
  if (event.type === 'reservation.created') {
    const { data } = event;
    return {
      practice_id: recorded.tenantId,
      reservation_id: recorded.aggregateId,
      guest_id: data.guestId,
      guest_name: data.guestName,
      status: 'pending',
      check_in_date: data.checkInDate,
      nights: data.nights,
      check_out_date: checkOutOf(data.checkInDate, data.nights),
      cancel_reason: null,
      version: recorded.version,
      created_at: data.createdAt,
      updated_at: data.createdAt,
    };
  }
  if (!row) return null;
  const touched = { ...row, version: recorded.version, updated_at: recorded.occurredAt.toISOString() };
  switch (event.type) {
    case 'reservation.confirmed':
      return { ...touched, status: 'confirmed' };
    case 'reservation.changed':
      return {
        ...touched,
        check_in_date: event.data.checkInDate,
        nights: event.data.nights,
        check_out_date: checkOutOf(event.data.checkInDate, event.data.nights),
      };
    case 'reservation.checked_in':
      return { ...touched, status: 'checked_in' };
    case 'reservation.completed':
      return { ...touched, status: 'completed' };
    case 'reservation.cancelled':
      return { ...touched, status: 'cancelled', cancel_reason: event.data.reason };
  }
};

export const reservationListProjection: FoldProjectionDefinition<ReservationRow> = {
  name: 'reservation-list',
  handles: RESERVATION_EVENT_TYPES,
  table: 'reservations',
  keyColumns: ['practice_id', 'reservation_id'],
  keyOf: (event) => [event.tenantId, event.aggregateId],
  evolve: evolveReservationRow,
};
