import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InboxFailures, RowIdPipe } from '../event-sourcing/index.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';
import { InboxDeadLettersQuery } from './admin.requests.js';
import { OperatorsOnly } from '../auth/operators-only.decorator.js';

/**
 * Operators' view of the messages inbox consumers gave up on (parked after their attempts), and
 * the retry of one once its cause is fixed. Any process answers: they are kept in PostgreSQL,
 * and a process running the consumer carries the retry out within a second or so.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'OPERATORS_ONLY' })
@OperatorsOnly()
@NotRateLimited()
@Controller('v1/admin/inbox/dead-letters')
export class InboxAdminController {
  constructor(@Inject(InboxFailures) private readonly failures: InboxFailures) {}

  @Get()
  @ApiOkResponse({
    description:
      '{ deadLetters: [{ id, consumer, messageId, routingKey, eventType, error, attempts, firstFailedAt, lastFailedAt, parkedAt, retryRequestedAt }] }',
  })
  async list(@Query() query: InboxDeadLettersQuery) {
    return { deadLetters: await this.failures.list(query.consumer) };
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Retry asked for: the dead letter, retryRequestedAt set. Handled, it leaves the list; failed again, it stays with the new error' })
  @ApiNotFoundResponse({ description: 'DEAD_LETTER_NOT_FOUND: no parked inbox message has this id' })
  @ApiBadRequestResponse({ description: 'INVALID_ID: not a whole number from 1 to 2^53 - 1' })
  retry(@Param('id', RowIdPipe) id: number) {
    return this.failures.requestRetry(id);
  }
}
