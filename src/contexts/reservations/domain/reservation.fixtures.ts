import type { CommandMetadata, DirectAppendContext } from '../../../event-sourcing/domain/index.js';
import type {
  CancelReservation,
  ChangeReservation,
  CheckInReservation,
  CompleteReservation,
  ConfirmReservation,
  CreateReservation,
} from './reservation.commands.js';
import {
  reservationCancelled as cancelled,
  reservationChanged as changed,
  reservationCheckedIn as checkedIn,
  reservationCompleted as completed,
  reservationConfirmed as confirmed,
  reservationCreated as created,
  type ReservationCancelled,
  type ReservationChanged,
  type ReservationCheckedIn,
  type ReservationCompleted,
  type ReservationConfirmed,
  type ReservationCreated,
  type ReservationEvent,
} from './reservation.events.js';

export const PRACTICE_ID = 'practice-harbour';
export const RESERVATION_ID = 'reservation-0001';
export const STAFF = 'user-sam';

/** The clock every command in the specs carries, unless a test says otherwise. */
export const NOW = '2027-03-01T09:00:00.000Z';
export const TODAY = '2027-03-01';
export const YESTERDAY = '2027-02-28';

export const GUEST = { guestId: 'guest-17', guestName: 'Ada Lovelace' } as const;
/** The stay a reservation is created with, and the one a change moves it to. */
export const STAY = { checkInDate: '2027-03-10', nights: 3 } as const;
export const NEW_STAY = { checkInDate: '2027-03-12', nights: 4 } as const;
export const REASON = 'guest request';

/** Command metadata: staff of the practice, acting at NOW. */
export const metadata = (overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({
  now: NOW,
  tenantId: PRACTICE_ID,
  actor: { type: 'human', id: STAFF },
  ...overrides,
});

/** Metadata of a command sent at another moment. */
export const at = (now: string): CommandMetadata => metadata({ now });

type Stay = { readonly checkInDate: string; readonly nights: number };

export const createReservation = (
  data: Partial<CreateReservation['data']> = {},
  meta: CommandMetadata = metadata(),
): CreateReservation => ({
  type: 'CreateReservation',
  data: { reservationId: RESERVATION_ID, ...GUEST, ...STAY, ...data },
  metadata: meta,
});

export const confirmReservation = (meta: CommandMetadata = metadata()): ConfirmReservation => ({
  type: 'ConfirmReservation',
  data: { reservationId: RESERVATION_ID },
  metadata: meta,
});

export const changeReservation = (stay: Partial<Stay> = {}, meta: CommandMetadata = metadata()): ChangeReservation => ({
  type: 'ChangeReservation',
  data: { reservationId: RESERVATION_ID, ...NEW_STAY, ...stay },
  metadata: meta,
});

export const checkInReservation = (meta: CommandMetadata = metadata()): CheckInReservation => ({
  type: 'CheckInReservation',
  data: { reservationId: RESERVATION_ID },
  metadata: meta,
});

export const completeReservation = (meta: CommandMetadata = metadata()): CompleteReservation => ({
  type: 'CompleteReservation',
  data: { reservationId: RESERVATION_ID },
  metadata: meta,
});

export const cancelReservation = (reason: string = REASON, meta: CommandMetadata = metadata()): CancelReservation => ({
  type: 'CancelReservation',
  data: { reservationId: RESERVATION_ID, reason },
  metadata: meta,
});

export const reservationCreated = (data: Partial<ReservationCreated['data']> = {}): ReservationCreated =>
  created({ reservationId: RESERVATION_ID, ...GUEST, ...STAY, createdAt: NOW, ...data });

export const reservationConfirmed = (data: Partial<ReservationConfirmed['data']> = {}): ReservationConfirmed =>
  confirmed({ confirmedAt: NOW, ...data });

export const reservationChanged = (data: Partial<ReservationChanged['data']> = {}): ReservationChanged =>
  changed({ ...NEW_STAY, changedAt: NOW, ...data });

export const reservationCheckedIn = (data: Partial<ReservationCheckedIn['data']> = {}): ReservationCheckedIn =>
  checkedIn({ checkedInAt: NOW, ...data });

export const reservationCompleted = (data: Partial<ReservationCompleted['data']> = {}): ReservationCompleted =>
  completed({ completedAt: NOW, ...data });

export const reservationCancelled = (data: Partial<ReservationCancelled['data']> = {}): ReservationCancelled =>
  cancelled({ reason: REASON, cancelledAt: NOW, ...data });

/** The history that leaves a reservation in each status. */
export const history = {
  pending: [reservationCreated()],
  confirmed: [reservationCreated(), reservationConfirmed()],
  checked_in: [reservationCreated(), reservationConfirmed(), reservationCheckedIn()],
  completed: [reservationCreated(), reservationConfirmed(), reservationCheckedIn(), reservationCompleted()],
  cancelled: [reservationCreated(), reservationCancelled()],
} as const satisfies Record<string, readonly ReservationEvent[]>;

/** What a direct append (generic events API) knows besides the event. */
export const directAppend = (meta: CommandMetadata = metadata()): DirectAppendContext => ({
  aggregateId: RESERVATION_ID,
  metadata: meta,
});
