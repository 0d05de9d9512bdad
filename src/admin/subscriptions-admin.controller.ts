import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SubscriptionAdmin } from '../event-sourcing/index.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';
import { OperatorsOnly } from '../auth/operators-only.decorator.js';

/**
 * Operators' hold on every consumer of the log by its subscription name, the relay's included,
 * which no projection or saga route reaches: status, lag, dead letters; kill switch and resume.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'OPERATORS_ONLY' })
@OperatorsOnly()
@NotRateLimited()
@Controller('v1/admin/subscriptions')
export class SubscriptionsAdminController {
  constructor(@Inject(SubscriptionAdmin) private readonly admin: SubscriptionAdmin) {}

  @Get()
  @ApiOkResponse({ description: '{ subscriptions: [{ name, status, paused, lastError, partitions, lagEvents, lagSeconds, deadLetters }] }: every subscription a worker has run (projections, sagas as saga:<name>, relay)' })
  async list() {
    return { subscriptions: await this.admin.list() };
  }

  @Get(':name')
  @ApiOkResponse({ description: '{ name, status, paused, lastError, partitions, lagEvents, lagSeconds, deadLetters }' })
  @ApiNotFoundResponse({ description: 'SUBSCRIPTION_NOT_FOUND' })
  get(@Param('name') name: string) {
    return this.admin.report(name);
  }

  @Post(':name/pause')
  @HttpCode(200)
  @ApiOkResponse({ description: 'Paused: workers hand it no more events, its checkpoints stay where they are' })
  @ApiNotFoundResponse({ description: 'SUBSCRIPTION_NOT_FOUND' })
  pause(@Param('name') name: string) {
    return this.admin.pause(name);
  }

  @Post(':name/resume')
  @HttpCode(200)
  @ApiOkResponse({ description: 'Running again from its checkpoints: unpaused, and a subscription stopped at a dead letter retries that event first' })
  @ApiNotFoundResponse({ description: 'SUBSCRIPTION_NOT_FOUND' })
  resume(@Param('name') name: string) {
    return this.admin.resume(name);
  }
}
