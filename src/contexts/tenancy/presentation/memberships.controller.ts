import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type CommandBody, CommandSender, CurrentHttpCommand, type HttpCommand } from '../../../event-sourcing/index.js';
import { ListMembers, type MemberView } from '../application/queries/list-members.query.js';
import type { PracticeCommand } from '../domain/practice.commands.js';
import { practices } from '../practice.aggregate.js';
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
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Post()
  @PracticeAccess('admin')
  @ApiCreatedResponse({ description: 'The user is a member with that role' })
  @ApiConflictResponse({ description: 'MEMBER_ALREADY_EXISTS' })
  add(@Body() body: AddMemberRequest, @CurrentHttpCommand() http: HttpCommand) {
    return this.send(http, { type: 'AddMember', data: body });
  }

  @Patch(':userId')
  @HttpCode(200)
  @PracticeAccess('admin')
  @ApiOkResponse({ description: 'The role changed' })
  @ApiConflictResponse({ description: 'LAST_OWNER_CANNOT_BE_DEMOTED, ROLE_UNCHANGED, or a version conflict' })
  change(@Param('userId') userId: string, @Body() body: ChangeMemberRoleRequest, @CurrentHttpCommand() http: HttpCommand) {
    return this.send(http, { type: 'ChangeMemberRole', data: { userId, role: body.role } });
  }

  @Get()
  @PracticeAccess('viewer')
  @ApiOkResponse({ description: '{ members: [{ userId, role, joinedAt }] }' })
  async list(@Param('practiceId') practiceId: string): Promise<{ members: MemberView[] }> {
    return { members: await this.queries.execute<ListMembers, MemberView[]>(new ListMembers(practiceId)) };
  }

  private async send(http: HttpCommand, command: CommandBody<Extract<PracticeCommand, { type: 'AddMember' | 'ChangeMemberRole' }>>) {
    const result = await this.commands.send(practices, http, command);
    return { practiceId: http.request.tenantId, userId: command.data.userId, role: command.data.role, version: result.version };
  }
}
