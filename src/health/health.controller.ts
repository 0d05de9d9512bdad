import { Controller, Get, Inject, Logger, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module.js';
import { AmqpBroker, isDatabaseUnavailable, SubscriptionWorkerHost, within } from '../event-sourcing/index.js';
import { Public } from '../auth/public.decorator.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';
import { SharedCheck } from './shared-check.js';

const DATABASE_CHECK_MS = 1_500;

@ApiTags('operations')
@Public()
@NotRateLimited()
@Controller('health')
export class HealthController {
  private readonly database = new SharedCheck(() => this.databaseCheck());
  private readonly logger = new Logger('Health');

  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    /** The pool the app's requests and workers use: a check through another would miss it being stuck. */
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(SubscriptionWorkerHost) private readonly workers: SubscriptionWorkerHost,
    /** Present when this process runs the relay: readiness then includes RabbitMQ. */
    @Optional() @Inject(AmqpBroker) private readonly broker?: AmqpBroker,
  ) {}

  /** Liveness: the process answers. No dependency is asked, so a database outage never gets it restarted. */
  @Get('live')
  @ApiOkResponse({ description: '{ status: "ok" }: the process answers' })
  live() {
    return { status: 'ok' };
  }

  /** Readiness: what this process needs to do its work answers. `/health` is the same check. */
  @Get(['ready', ''])
  @HealthCheck()
  @ApiOkResponse({ description: 'The database answers, RabbitMQ where the relay runs, and this process\'s workers hold their leases' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which' })
  ready() {
    const { broker } = this;
    const worker = this.workers.current;
    return this.health.check([
      () => this.database.run(),
      ...(broker ? [() => this.brokerCheck(broker)] : []),
      ...(worker ? [() => this.workerCheck(worker.holdsLeases())] : []),
    ]);
  }

  /**
   * A round trip through the app's own pool within 1.5 s: its connections, not fresh ones, must
   * answer, and take writes (a standby reached during a failover answers, and refuses every command).
   * Probes that arrive while one runs share it (`SharedCheck`).
   */
  private async databaseCheck() {
    const check = this.indicators.check('database');
    const noAnswer = new Error(`no answer within ${DATABASE_CHECK_MS} ms`);
    try {
      const answer = this.pool.query<{ read_only: boolean }>(`SELECT current_setting('transaction_read_only') = 'on' AS read_only`);
      const { rows } = await within(answer, DATABASE_CHECK_MS, noAnswer);
      if (rows[0].read_only) return check.down({ message: 'the database takes no writes (a standby, or set read-only)' });
      return check.up();
    } catch (error) {
      if (error === noAnswer) return check.down({ message: noAnswer.message });
      // The route is public: the driver's text names the server's address, user or database. It goes to the log alone.
      this.logger.warn(`readiness: the database check failed: ${error instanceof Error ? error.message : String(error)}`);
      return check.down({ message: isDatabaseUnavailable(error) ? 'unreachable' : 'the check failed (see the log)' });
    }
  }

  private workerCheck(holdsLeases: boolean) {
    const check = this.indicators.check('workers');
    return holdsLeases ? check.up() : check.down({ message: 'the subscription worker has lost its lease connection or heartbeat' });
  }

  /** The relay's connection and consumers as they stand (they recover on their own): no round trip per probe. */
  private brokerCheck(broker: AmqpBroker) {
    const check = this.indicators.check('broker');
    const down = broker.whyDown();
    return down === undefined ? check.up() : check.down({ message: down });
  }
}
