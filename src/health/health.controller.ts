import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';

@ApiTags('operations')
@Public()
@NotRateLimited()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(TypeOrmHealthIndicator) private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOkResponse({ description: 'The app and its database answer' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which' })
  check() {
    return this.health.check([() => this.database.pingCheck('database').withTimeout(1500)]);
  }
}
