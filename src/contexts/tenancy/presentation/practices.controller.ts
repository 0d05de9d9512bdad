import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiIfMatch, Commands, etagOf } from '../../../event-sourcing/index.js';
import { GetPractice, type PracticeView } from '../application/queries/get-practice.query.js';
import { practices } from '../practice.aggregate.js';
import { PracticeAccess } from './practice-access.decorator.js';
import { CreatePracticeRequest, UpdatePracticeRequest } from './tenancy.requests.js';

@ApiTags('tenancy')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not a member of the practice, or the role is too low' })
@Controller('v1/practices')
export class PracticesController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Post()
  @ApiCreatedResponse({ description: 'The practice exists and the caller is its owner' })
  @ApiConflictResponse({ description: 'PRACTICE_ALREADY_EXISTS' })
  async create(@Body() body: CreatePracticeRequest, @Commands() commands: Commands) {
    const practiceId = body.practiceId ?? commands.newId();
    // The practice is the tenant it creates: no guard has checked one yet.
    const data = { practiceId, name: body.name };
    const result = await commands.send(practices, { type: 'CreatePractice', data }, { tenantId: practiceId });
    void commands.reply.header('Location', `/v1/practices/${practiceId}`);
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
  @ApiIfMatch()
  @HttpCode(200)
  @PracticeAccess('admin')
  @ApiOkResponse({ description: 'Renamed; If-Match: "<version>" makes it fail with 409 if the practice moved on' })
  async update(@Param('practiceId') practiceId: string, @Body() body: UpdatePracticeRequest, @Commands() commands: Commands) {
    const result = await commands.send(practices, { type: 'UpdatePractice', data: body });
    return { practiceId, name: body.name, version: result.version };
  }
}
