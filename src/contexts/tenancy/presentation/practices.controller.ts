import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { toActor, type AuthenticatedActor } from '../../../auth/authenticated-actor.js';
import { CurrentActor } from '../../../auth/current-actor.decorator.js';
import { commandMetadata, etagOf, expectedVersionFrom } from '../../../event-sourcing/nest/command-metadata.js';
import { executePracticeCommand } from '../application/practice-command.js';
import { GetPractice, type PracticeView } from '../application/queries/get-practice.query.js';
import { PracticeAccess } from './practice-access.decorator.js';
import { PracticeAccessGuard } from './practice-access.guard.js';
import { CreatePracticeRequest, UpdatePracticeRequest } from './tenancy.requests.js';

@ApiTags('tenancy')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not a member of the practice, or the role is too low' })
@UseGuards(PracticeAccessGuard)
@Controller('v1/practices')
export class PracticesController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiCreatedResponse({ description: 'The practice exists and the caller is its owner' })
  @ApiConflictResponse({ description: 'PRACTICE_ALREADY_EXISTS' })
  async create(
    @Body() body: CreatePracticeRequest,
    @CurrentActor() actor: AuthenticatedActor,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const practiceId = body.practiceId ?? randomUUID();
    const metadata = commandMetadata(request, toActor(actor), practiceId);
    const result = await this.commands.execute(
      executePracticeCommand({ type: 'CreatePractice', data: { practiceId, name: body.name }, metadata }),
    );
    void reply.header('ETag', etagOf(result.version)).header('Location', `/v1/practices/${practiceId}`);
    return { practiceId, name: body.name, version: result.version };
  }

  @Get(':practiceId')
  @PracticeAccess('viewer')
  @ApiOkResponse({ description: 'The practice as its read model shows it' })
  async get(@Param('practiceId') practiceId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<PracticeView> {
    const practice = await this.queries.execute<GetPractice, PracticeView | null>(new GetPractice(practiceId));
    if (!practice) throw new NotFoundException({ code: 'PRACTICE_NOT_FOUND', message: `Practice ${practiceId} does not exist` });
    void reply.header('ETag', etagOf(practice.version));
    return practice;
  }

  @Patch(':practiceId')
  @HttpCode(200)
  @PracticeAccess('admin')
  @ApiOkResponse({ description: 'Renamed; If-Match: "<version>" makes it fail with 409 if the practice moved on' })
  async update(
    @Param('practiceId') practiceId: string,
    @Body() body: UpdatePracticeRequest,
    @CurrentActor() actor: AuthenticatedActor,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const metadata = commandMetadata(request, toActor(actor), practiceId);
    const result = await this.commands.execute(
      executePracticeCommand({ type: 'UpdatePractice', data: body, metadata }, expectedVersionFrom(request)),
    );
    void reply.header('ETag', etagOf(result.version));
    return { practiceId, name: body.name, version: result.version };
  }
}
