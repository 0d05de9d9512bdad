import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LazyProjection } from '../../../../event-sourcing/index.js';
import type { GuestProfile, GuestTracking } from '../../infrastructure/guest-profile.js';
import type { ReservationEvent } from '../../domain/reservation.events.js';

export const GUEST_PROFILES = Symbol('GUEST_PROFILES');
export type GuestProfiles = LazyProjection<{ practiceId: string; guestId: string }, GuestTracking, ReservationEvent>;

export class GetGuestProfile {
  constructor(
    readonly practiceId: string,
    readonly guestId: string,
  ) {}
}

/** A lazy projection: folded from the guest's reservation streams when asked, cached until they change. */
@QueryHandler(GetGuestProfile)
export class GetGuestProfileHandler implements IQueryHandler<GetGuestProfile, GuestProfile | null> {
  constructor(@Inject(GUEST_PROFILES) private readonly profiles: GuestProfiles) {}

  async execute({ practiceId, guestId }: GetGuestProfile): Promise<GuestProfile | null> {
    return (await this.profiles.get({ practiceId, guestId }))?.profile ?? null;
  }
}

export type { GuestProfile };
