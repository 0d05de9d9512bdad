import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { AmqpBroker } from '../event-sourcing/index.js';
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
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    /** Present when this process runs the relay: readiness then includes RabbitMQ. */
    @Optional() @Inject(AmqpBroker) private readonly broker?: AmqpBroker,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOkResponse({ description: 'The app and its database answer (and RabbitMQ, where the relay runs)' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which' })
  check() {
    const { broker } = this;
    return this.health.check([
      () => this.database.pingCheck('database').withTimeout(1500),
      ...(broker ? [() => this.brokerCheck(broker)] : []),
    ]);
  }

  /** The relay's connection as it stands (it reconnects on its own): no round trip to the broker per probe. */
  private brokerCheck(broker: AmqpBroker) {
    const check = this.indicators.check('broker');
    return broker.isUp() ? check.up() : check.down({ message: 'not connected to RabbitMQ; events wait in PostgreSQL' });
  }
}
