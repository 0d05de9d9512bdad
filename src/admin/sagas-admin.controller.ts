import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RowIdPipe, SagaAdmin } from '../event-sourcing/index.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';
import { SagaInstancesQuery } from './admin.requests.js';
import { OperatorsOnly } from '../auth/operators-only.decorator.js';

/**
 * Operators' view of sagas across tenants: their instances (state, status, the deadlines they
 * wait for), and each saga's subscription (lag, the kill switch, dead letters).
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'OPERATORS_ONLY' })
@OperatorsOnly()
@NotRateLimited()
@Controller('v1/admin/sagas')
export class SagasAdminController {
  constructor(@Inject(SagaAdmin) private readonly sagas: SagaAdmin) {}

  @Get()
  @ApiOkResponse({ description: '{ sagas: [{ saga, tenantId, key, status, state, version, correlationId, deadlines: [{ name, dueAt }] }] }' })
  async list(@Query() query: SagaInstancesQuery) {
    return { sagas: await this.sagas.list({ status: query.status, saga: query.type, limit: query.limit ?? 100 }) };
  }

  @Get('subscriptions')
  @ApiOkResponse({ description: '{ sagas: [{ name, subscription, status, paused, lastError, lagEvents, lagSeconds, deadLetters, activeInstances }] }' })
  async subscriptions() {
    return { sagas: await this.sagas.reports() };
  }

  @Post(':name/pause')
  @HttpCode(200)
  @ApiOkResponse({ description: 'Paused: workers hand the saga no more events, its checkpoint stays where it is (deadlines still fire)' })
  @ApiNotFoundResponse({ description: 'SAGA_NOT_FOUND' })
  pause(@Param('name') name: string) {
    return this.sagas.pause(name);
  }

  @Post(':name/resume')
  @HttpCode(200)
  @ApiOkResponse({ description: 'Running again from its checkpoint (a dead-lettered event is retried first)' })
  @ApiNotFoundResponse({ description: 'SAGA_NOT_FOUND' })
  resume(@Param('name') name: string) {
    return this.sagas.resume(name);
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(200)
  @ApiOkResponse({ description: 'A saga’s dead letter (subscription saga:<name>) retried: a stopped saga runs again from it' })
  @ApiNotFoundResponse({ description: 'DEAD_LETTER_NOT_FOUND: no dead letter of a saga has this id' })
  @ApiBadRequestResponse({ description: 'INVALID_ID: not a whole number from 1 to 2^53 - 1' })
  retry(@Param('id', RowIdPipe) id: number) {
    return this.sagas.retryDeadLetter(id);
  }
}
