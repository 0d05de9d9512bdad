import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, Commands } from '../../../event-sourcing/index.js';
import { ListMembers, type MemberView } from '../application/queries/list-members.query.js';
import { practices } from '../practice.aggregate.js';
import { PracticeAccess } from './practice-access.decorator.js';
import { AddMemberRequest, ChangeMemberRoleRequest } from './tenancy.requests.js';

@ApiTags('tenancy')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not a member, or not an owner/admin' })
@Controller('v1/practices/:practiceId/memberships')
export class MembershipsController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Post()
  @PracticeAccess('admin')
  @ApiCreatedResponse({ description: 'The user is a member with that role' })
  @ApiConflictResponse({ description: 'MEMBER_ALREADY_EXISTS' })
  async add(@Param('practiceId') practiceId: string, @Body() body: AddMemberRequest, @Commands() commands: Commands) {
    const { version } = await commands.send(practices, { type: 'AddMember', data: body });
    return { practiceId, userId: body.userId, role: body.role, version };
  }

  @Patch(':userId')
  @ApiIfMatch()
  @HttpCode(200)
  @PracticeAccess('admin')
  @ApiOkResponse({ description: 'The role changed' })
  @ApiConflictResponse({ description: 'LAST_OWNER_CANNOT_BE_DEMOTED, ROLE_UNCHANGED, or a version conflict' })
  async change(
    @Param('practiceId') practiceId: string,
    @Param('userId') userId: string,
    @Body() body: ChangeMemberRoleRequest,
    @Commands() commands: Commands,
  ) {
    const { version } = await commands.send(practices, { type: 'ChangeMemberRole', data: { userId, role: body.role } });
    return { practiceId, userId, role: body.role, version };
  }

  @Get()
  @PracticeAccess('viewer')
  @ApiOkResponse({ description: '{ members: [{ userId, role, joinedAt }] }' })
  async list(@Param('practiceId') practiceId: string): Promise<{ members: MemberView[] }> {
    return { members: await this.queries.execute<ListMembers, MemberView[]>(new ListMembers(practiceId)) };
  }
}
