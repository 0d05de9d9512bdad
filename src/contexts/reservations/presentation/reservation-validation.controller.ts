import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateReservationRequest } from './reservations.requests.js';

/**
 * Checks a reservation request's shape without storing anything (a form can validate as
 * the user types). It touches no database, which also makes it the benchmark's baseline
 * for what the HTTP stack and validation cost on their own.
 */
@ApiTags('reservations')
@ApiBearerAuth()
@Controller('v1/reservations/validate')
export class ReservationValidationController {
  @Post()
  @HttpCode(200)
  @ApiOkResponse({ description: '{ valid: true } — or 400 VALIDATION_FAILED naming the fields' })
  validate(@Body() _body: CreateReservationRequest): { valid: true } {
    return { valid: true };
  }
}
