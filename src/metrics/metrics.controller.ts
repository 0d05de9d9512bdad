import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { OperatorsOnly } from '../auth/operators-only.decorator.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';

/**
 * Prometheus' scrape target, for operators only like the admin API (it spans tenants and names
 * event and command types): see docs/operations.md#metrics for why on the API's port.
 */
@ApiTags('operations')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'OPERATORS_ONLY' })
@OperatorsOnly()
@NotRateLimited()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  @Get()
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({ description: 'Every metric in the Prometheus text format: docs/operations.md#metrics' })
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
