import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsISO8601, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { CALENDAR_DAY_FORMAT, eventTypesOf, type EventSchemas } from '../../../event-sourcing/index.js';
import { GUEST_EMAIL_LENGTH, GUEST_PHONE_FORMAT, GUEST_PHONE_MESSAGE } from '../domain/guest-contact.js';
import { MAX_CANCEL_REASON_LENGTH } from '../domain/reservation.commands.js';
import type { ReservationEvent } from '../domain/reservation.events.js';

// Shapes only; the business rules (1–365 nights, no past check-in) live in the decider. The
// shapes are the create route's (reservations.requests.ts): a direct append is held to them too.

class DepositPayload {
  @IsInt() amount!: number;
  @Matches(/^[A-Z]{3}$/) currency!: string;
}

class ReservationCreatedPayload {
  @IsString() @Length(1, 255) reservationId!: string;
  @IsString() @Length(1, 255) guestId!: string;
  @IsString() @Length(1, 200) guestName!: string;
  @IsOptional() @IsEmail() @Length(GUEST_EMAIL_LENGTH.min, GUEST_EMAIL_LENGTH.max) guestEmail?: string;
  @IsOptional() @Matches(GUEST_PHONE_FORMAT, { message: GUEST_PHONE_MESSAGE }) guestPhone?: string;
  @Matches(CALENDAR_DAY_FORMAT) checkInDate!: string;
  @IsInt() nights!: number;
  @IsISO8601() createdAt!: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => DepositPayload) deposit?: DepositPayload;
}

class ReservationConfirmedPayload {
  @IsISO8601() confirmedAt!: string;
}

class ReservationChangedPayload {
  @Matches(CALENDAR_DAY_FORMAT) checkInDate!: string;
  @IsInt() nights!: number;
  @IsISO8601() changedAt!: string;
}

class ReservationCheckedInPayload {
  @IsISO8601() checkedInAt!: string;
}

class ReservationCompletedPayload {
  @IsISO8601() completedAt!: string;
}

class ReservationCancelledPayload {
  @IsString() @Length(1, MAX_CANCEL_REASON_LENGTH) reason!: string;
  @IsISO8601() cancelledAt!: string;
}

/** The payload schema of each reservation event type. */
export const reservationEventSchemas: EventSchemas<ReservationEvent> = {
  // The guest's name and contact details are personal: stored sealed under the guest's key, and
  // redacted everywhere once the guest is forgotten.
  'reservation.created': {
    payload: ReservationCreatedPayload,
    personal: { subject: 'guestId', fields: ['guestName', 'guestEmail', 'guestPhone'] },
  },
  'reservation.confirmed': ReservationConfirmedPayload,
  'reservation.changed': ReservationChangedPayload,
  'reservation.checked_in': ReservationCheckedInPayload,
  'reservation.completed': ReservationCompletedPayload,
  'reservation.cancelled': ReservationCancelledPayload,
};

/** Every reservation event type: what projections of the whole lifecycle handle. */
export const reservationEventTypes = eventTypesOf(reservationEventSchemas);
