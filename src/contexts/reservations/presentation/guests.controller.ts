import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PracticeAccess } from '../../tenancy/public-api.js';
import { GetGuestProfile, type GuestProfile } from '../application/queries/get-guest-profile.query.js';

@ApiTags('reservations')
@ApiBearerAuth()
@PracticeAccess('viewer')
@Controller('v1/practices/:practiceId/guests')
export class GuestsController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get(':guestId')
  @ApiOkResponse({ description: 'The guest profile, folded from their reservations on read (lazy projection)' })
  @ApiNotFoundResponse({ description: 'GUEST_NOT_FOUND: no reservation of this guest in the practice' })
  async get(@Param('practiceId') practiceId: string, @Param('guestId') guestId: string): Promise<GuestProfile> {
    const profile = await this.queries.execute<GetGuestProfile, GuestProfile | null>(new GetGuestProfile(practiceId, guestId));
    if (!profile) throw new NotFoundException({ code: 'GUEST_NOT_FOUND', message: `No reservations of guest ${guestId}` });
    return profile;
  }
}
