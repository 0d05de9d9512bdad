import { Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { SagaOutbox } from '../event-sourcing/index.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import type { AuthenticatedActor } from '../auth/authenticated-actor.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';
import { OperatorsOnly } from '../auth/operators-only.decorator.js';
import { SagaCommandsQuery } from './admin.requests.js';

/**
 * Operators' view of the commands sagas decided and no sender has sent yet, oldest first, with
 * the failures of those that keep failing; and giving one up, which its saga then compensates.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'OPERATORS_ONLY' })
@OperatorsOnly()
@NotRateLimited()
@Controller('v1/admin/sagas/commands')
export class SagaOutboxAdminController {
  constructor(@Inject(SagaOutbox) private readonly outbox: SagaOutbox) {}

  @Get()
  @ApiOkResponse({
    description: '{ commands: [{ commandId, saga, tenantId, key, aggregateType, type, createdAt, attempts, lastError, lastFailedAt, giveUpBy }] }',
  })
  async unsent(@Query() query: SagaCommandsQuery) {
    return { commands: await this.outbox.unsent({ saga: query.saga, limit: query.limit ?? 100 }) };
  }

  @Post(':commandId/give-up')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description:
      'Give-up asked for (giveUpBy set): the sender that next claims the command, within its claim (30 s) if it failed, records it refused with GIVEN_UP instead of sending it, and its saga is handed the refusal',
  })
  @ApiNotFoundResponse({ description: 'SAGA_COMMAND_NOT_FOUND' })
  @ApiConflictResponse({ description: 'SAGA_COMMAND_ALREADY_SENT: it has an outcome (applied or refused)' })
  giveUp(@Param('commandId', new ParseUUIDPipe({ version: undefined })) commandId: string, @CurrentActor() operator: AuthenticatedActor) {
    return this.outbox.giveUp(commandId, operator.userId);
  }
}
