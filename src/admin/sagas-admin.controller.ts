import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SagaAdmin } from '../event-sourcing/index.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';
import { SagaInstancesQuery } from './admin.requests.js';
import { OperatorGuard } from './operator.guard.js';

/** Operators' view of saga instances across tenants: state, status and the deadlines they wait for. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'OPERATORS_ONLY' })
@UseGuards(OperatorGuard)
@NotRateLimited()
@Controller('v1/admin/sagas')
export class SagasAdminController {
  constructor(@Inject(SagaAdmin) private readonly sagas: SagaAdmin) {}

  @Get()
  @ApiOkResponse({ description: '{ sagas: [{ saga, tenantId, key, status, state, version, correlationId, deadlines: [{ name, dueAt }] }] }' })
  async list(@Query() query: SagaInstancesQuery) {
    return { sagas: await this.sagas.list({ status: query.status, saga: query.type, limit: query.limit ?? 100 }) };
  }
}
