import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toActor, type AuthenticatedActor } from '../../../auth/authenticated-actor.js';
import { CurrentActor } from '../../../auth/current-actor.decorator.js';
import { commandMetadata, etagOf, expectedVersionFrom } from '../../../event-sourcing/nest/command-metadata.js';
import { executePracticeCommand } from '../application/practice-command.js';
import { ListMembers, type MemberView } from '../application/queries/list-members.query.js';
import type { PracticeCommand } from '../domain/practice.commands.js';
import { PracticeAccess } from './practice-access.decorator.js';
import { PracticeAccessGuard } from './practice-access.guard.js';
import { AddMemberRequest, ChangeMemberRoleRequest } from './tenancy.requests.js';

@ApiTags('tenancy')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not a member, or not an owner/admin' })
@UseGuards(PracticeAccessGuard)
@Controller('v1/practices/:practiceId/memberships')
export class MembershipsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Post()
  @PracticeAccess('admin')
  @ApiCreatedResponse({ description: 'The user is a member with that role' })
  @ApiConflictResponse({ description: 'MEMBER_ALREADY_EXISTS' })
  add(
    @Param('practiceId') practiceId: string,
    @Body() body: AddMemberRequest,
    @CurrentActor() actor: AuthenticatedActor,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const metadata = commandMetadata(request, toActor(actor), practiceId);
    return this.execute({ type: 'AddMember', data: body, metadata }, request, reply, body.userId, body.role);
  }

  @Patch(':userId')
  @HttpCode(200)
  @PracticeAccess('admin')
  @ApiOkResponse({ description: 'The role changed' })
  @ApiConflictResponse({ description: 'LAST_OWNER_CANNOT_BE_DEMOTED, ROLE_UNCHANGED, or a version conflict' })
  change(
    @Param('practiceId') practiceId: string,
    @Param('userId') userId: string,
    @Body() body: ChangeMemberRoleRequest,
    @CurrentActor() actor: AuthenticatedActor,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const metadata = commandMetadata(request, toActor(actor), practiceId);
    return this.execute({ type: 'ChangeMemberRole', data: { userId, role: body.role }, metadata }, request, reply, userId, body.role);
  }

  @Get()
  @PracticeAccess('viewer')
  @ApiOkResponse({ description: '{ members: [{ userId, role, joinedAt }] }' })
  async list(@Param('practiceId') practiceId: string): Promise<{ members: MemberView[] }> {
    return { members: await this.queries.execute<ListMembers, MemberView[]>(new ListMembers(practiceId)) };
  }

  private async execute(command: PracticeCommand, request: FastifyRequest, reply: FastifyReply, userId: string, role: string) {
    const result = await this.commands.execute(executePracticeCommand(command, expectedVersionFrom(request)));
    void reply.header('ETag', etagOf(result.version));
    return { practiceId: command.metadata.tenantId, userId, role, version: result.version };
  }
}
