import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PracticeAccess } from '../contexts/tenancy/public-api.js';
import { CorrelationChains, type CorrelationChain } from '../event-sourcing/index.js';

/** One business process of a practice (its first 1,000 events): what callers and sagas commanded and what it caused. */
@ApiTags('events')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'NOT_A_MEMBER of the practice' })
@PracticeAccess('viewer')
@Controller('v1/practices/:practiceId/correlations')
export class CorrelationsController {
  constructor(@Inject(CorrelationChains) private readonly chains: CorrelationChains) {}

  @Get(':correlationId')
  @ApiOkResponse({
    description: '{ correlationId, chain: [{ kind: event|command, … }], truncated } in causal order, with actors; truncated: the process has more than its first 1,000 events',
  })
  @ApiNotFoundResponse({ description: 'CORRELATION_NOT_FOUND: no event of the practice carries it' })
  async chain(
    @Param('practiceId') practiceId: string,
    @Param('correlationId') correlationId: string,
  ): Promise<{ correlationId: string } & CorrelationChain> {
    const { chain, truncated } = await this.chains.of(practiceId, correlationId);
    // The same answer for another practice's process as for none: tenants never learn of each other's.
    if (chain.length === 0) {
      throw new NotFoundException({ code: 'CORRELATION_NOT_FOUND', message: `No event of this practice carries ${correlationId}` });
    }
    return { correlationId, chain, truncated };
  }
}
