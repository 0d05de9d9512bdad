import { Body, Controller, Get, HttpCode, Inject, Logger, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectionAdmin, RebuildInProgress, RebuildStopped, RowIdPipe } from '../event-sourcing/index.js';
import { DeadLettersQuery, ReplayRequest } from './admin.requests.js';
import { NotRateLimited } from '../rate-limits/not-rate-limited.decorator.js';
import { OperatorsOnly } from '../auth/operators-only.decorator.js';

const UNKNOWN = ApiNotFoundResponse({ description: 'PROJECTION_NOT_FOUND: no projection has this name' });

/** Operators' view of async projections: status, checkpoints, lag, owners; kill switch, replay, rebuild, dead letters. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'OPERATORS_ONLY' })
@OperatorsOnly()
@NotRateLimited()
@Controller('v1/admin')
export class ProjectionsAdminController {
  private readonly logger = new Logger('Admin');

  constructor(@Inject(ProjectionAdmin) private readonly admin: ProjectionAdmin) {}

  @Get('projections')
  @ApiOkResponse({ description: '{ projections: [{ name, status, paused, partitions: [{ partition, position, owner }], lagEvents, lagSeconds, deadLetters }] }' })
  async list() {
    return { projections: await this.admin.list() };
  }

  @Get('projections/:name') @UNKNOWN
  get(@Param('name') name: string) {
    return this.admin.report(name);
  }

  @Post('projections/:name/pause')
  @HttpCode(200) @UNKNOWN
  @ApiOkResponse({ description: 'Paused: workers apply nothing more, the checkpoint stays where it is' })
  pause(@Param('name') name: string) {
    return this.admin.pause(name);
  }

  @Post('projections/:name/resume')
  @HttpCode(200) @UNKNOWN
  @ApiOkResponse({ description: 'Running again from its checkpoint (a dead-lettered event is retried first; a status "rebuilding" left by a rebuild whose process is gone ends, its shadow tables dropped)' })
  resume(@Param('name') name: string) {
    return this.admin.resume(name);
  }

  @Post('projections/:name/replay')
  @HttpCode(200)
  @ApiNotFoundResponse({ description: 'PROJECTION_NOT_FOUND, or POSITION_NOT_FOUND: no event at fromPosition' })
  @ApiOkResponse({
    description: 'Every partition past fromPosition continues from just before it; one before it already keeps its checkpoint '
      + '(moved forward, it would skip the events it has not applied)',
  })
  replay(@Param('name') name: string, @Body() body: ReplayRequest) {
    return this.admin.replay(name, body.fromPosition ?? 0);
  }

  @Post('projections/:name/rebuild')
  @HttpCode(202) @UNKNOWN
  @ApiAcceptedResponse({
    description:
      'Rebuilding into a shadow table in the background (or a rebuild is under way already); GET shows status "rebuilding" until the swap. '
      + 'A rebuild whose process ended before it finished holds nothing: this starts a new one.',
  })
  @ApiConflictResponse({ description: 'REBUILD_NOT_STARTED: an interrupted rebuild is being cleaned up (its lease held past 5 s); ask again' })
  async rebuild(@Param('name') name: string) {
    try {
      const { done } = await this.admin.startRebuild(name, (progress) => progress.phase === 'swapped' && this.logger.log(`rebuilt ${name}: ${progress.eventsApplied} events`));
      done.catch((error: unknown) => {
        // Stopped by this process's shutdown: expected, and the old model serves; run it again after.
        if (error instanceof RebuildStopped) this.logger.warn(`rebuild of ${name} not finished: ${error.message}; run it again`);
        else this.logger.error(`rebuild of ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    } catch (error) {
      // Another rebuild holds the lease, alive: the one asked for is under way.
      if (!(error instanceof RebuildInProgress)) throw error;
    }
    return { name, rebuilding: true };
  }

  @Get('dead-letters')
  async deadLetters(@Query() query: DeadLettersQuery) {
    return { deadLetters: await this.admin.listDeadLetters(query.projection) };
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(200)
  @ApiOkResponse({ description: 'Retried, any subscription\'s (projection, saga, relay): one stopped at it runs again from it; an event a projection skipped is applied now' })
  @ApiNotFoundResponse({ description: 'DEAD_LETTER_NOT_FOUND: no dead letter has this id' })
  @ApiBadRequestResponse({ description: 'INVALID_ID: not a whole number from 1 to 2^53 - 1' })
  retry(@Param('id', RowIdPipe) id: number) {
    return this.admin.retryDeadLetter(id);
  }
}
