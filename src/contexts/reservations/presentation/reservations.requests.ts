import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { CALENDAR_DAY_FORMAT, CALENDAR_DAY_MESSAGE, IsCalendarDay, IsIdOf, IsInstant } from '../../../event-sourcing/index.js';
import { GUEST_EMAIL_LENGTH, GUEST_PHONE_FORMAT, GUEST_PHONE_MESSAGE } from '../domain/guest-contact.js';
import { MAX_CANCEL_REASON_LENGTH } from '../domain/reservation.commands.js';
import { reservations } from '../reservation.aggregate.js';

const DAY_MESSAGE = { message: CALENDAR_DAY_MESSAGE };
const STATUSES = ['pending', 'confirmed', 'checked_in', 'completed', 'cancelled'] as const;

export class DepositRequest {
  @ApiProperty({ example: 5000, description: 'Integer minor units (cents)' })
  @IsInt()
  amount!: number;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217' })
  @IsString()
  currency!: string;
}

// Shapes only: whether 400 nights or a past date is acceptable is the decider's call (422).
export class CreateReservationRequest {
  // In lower case (the aggregate's idFormat): ids are compared as text, so the same UUID in capitals would be
  // another reservation. Not IsOptional, which lets null through as the id: only a missing field means "make one".
  @ApiPropertyOptional({ format: 'uuid', description: 'Choose the id yourself, in lower case; otherwise one is made' })
  @ValidateIf((_, value) => value !== undefined) @IsIdOf(reservations)
  reservationId?: string;

  @ApiProperty({ example: 'guest-17' })
  @IsString() @Length(1, 255)
  guestId!: string;

  @ApiProperty({ example: 'Ada Lovelace', description: 'Personal: redacted once the guest is forgotten' })
  @IsString() @Length(1, 200)
  guestName!: string;

  @ApiPropertyOptional({ example: 'ada@example.org', description: 'Personal: redacted once the guest is forgotten' })
  @IsOptional() @IsEmail() @Length(GUEST_EMAIL_LENGTH.min, GUEST_EMAIL_LENGTH.max)
  guestEmail?: string;

  @ApiPropertyOptional({ example: '+44 20 7946 0958', description: 'Personal: redacted once the guest is forgotten' })
  @IsOptional() @Matches(GUEST_PHONE_FORMAT, { message: GUEST_PHONE_MESSAGE })
  guestPhone?: string;

  @ApiProperty({ example: '2027-03-01' })
  @Matches(CALENDAR_DAY_FORMAT, DAY_MESSAGE)
  checkInDate!: string;

  @ApiProperty({ example: 3, minimum: 1, maximum: 365 })
  @IsInt()
  nights!: number;

  @ApiPropertyOptional({ type: DepositRequest, description: 'Ask for a deposit: the reservation is confirmed once it is paid' })
  // IsObject: ValidateNested alone takes an array and validates its items, leaving the decider a deposit of undefineds.
  @IsOptional() @IsObject() @ValidateNested() @Type(() => DepositRequest)
  deposit?: DepositRequest;
}

export class ChangeReservationRequest {
  @ApiProperty({ example: '2027-03-02' })
  @Matches(CALENDAR_DAY_FORMAT, DAY_MESSAGE)
  checkInDate!: string;

  @ApiProperty({ example: 4 })
  @IsInt()
  nights!: number;
}

export class CancelReservationRequest {
  @ApiProperty({ example: 'guest request' })
  @IsString() @Length(1, MAX_CANCEL_REASON_LENGTH)
  reason!: string;
}

/** confirm, check-in and complete take no fields; an empty object (or no body) is fine. */
export class EmptyRequest {}

export class ListReservationsQuery {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional() @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ example: '2027-03-01', description: 'stays that end after this day' })
  @IsOptional() @IsCalendarDay()
  from?: string;

  @ApiPropertyOptional({ example: '2027-03-31', description: 'stays that start on or before this day' })
  @IsOptional() @IsCalendarDay()
  to?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @Length(1, 400)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

export class ReservationAtQuery {
  @ApiPropertyOptional({
    example: '2027-03-01T12:00:00Z',
    description:
      "the reservation as it was at this time: the events recorded before it (their recordedAt, as /history shows; the view's createdAt and updatedAt are the commands' own times, a few milliseconds earlier)",
  })
  @IsOptional() @IsInstant()
  asOf?: string;

  @ApiPropertyOptional({ example: 2, description: 'the reservation as it was at this version' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2_147_483_647)
  version?: number;
}

export class OccupancyQuery {
  @ApiProperty({ example: '2027-03-01' })
  @IsCalendarDay()
  from!: string;

  @ApiProperty({ example: '2027-03-31' })
  @IsCalendarDay()
  to!: string;
}
