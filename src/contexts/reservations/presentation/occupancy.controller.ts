import { BadRequestException, Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PracticeAccess } from '../../tenancy/public-api.js';
import { GetOccupancy, type OccupancyDay } from '../application/queries/get-occupancy.query.js';
import { OccupancyQuery } from './reservations.requests.js';

const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/** Occupancy per night, from the async read model: current within tens of milliseconds of a command. */
@ApiTags('reservations')
@ApiBearerAuth()
@PracticeAccess('viewer')
@Controller('v1/practices/:practiceId/occupancy')
export class OccupancyController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get()
  @ApiOkResponse({ description: '{ from, to, days: [{ date, reserved }] } with every day of the range' })
  async get(@Param('practiceId') practiceId: string, @Query() { from, to }: OccupancyQuery) {
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
    if (days < 1 || days > MAX_DAYS) {
      throw new BadRequestException({ code: 'INVALID_RANGE', message: `from must not be after to, and the range is at most ${MAX_DAYS} days` });
    }
    return { from, to, days: await this.queries.execute<GetOccupancy, OccupancyDay[]>(new GetOccupancy(practiceId, from, to)) };
  }
}
