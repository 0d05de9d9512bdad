import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { EventSourcingModule, PG_POOL_TOKEN } from '../../event-sourcing/index.js';
import { MembershipLookup } from './application/membership-lookup.js';
import { GetPracticeHandler } from './application/queries/get-practice.query.js';
import { ListMembersHandler } from './application/queries/list-members.query.js';
import { PgMembershipLookup } from './infrastructure/pg-membership-lookup.js';
import { practices } from './practice.aggregate.js';
import { MembershipsController } from './presentation/memberships.controller.js';
import { PracticeAccessGuard } from './presentation/practice-access.guard.js';
import { PracticesController } from './presentation/practices.controller.js';
import { users } from './user.aggregate.js';

@Module({
  imports: [EventSourcingModule.forFeature({ aggregates: [practices, users] })],
  controllers: [PracticesController, MembershipsController],
  providers: [
    GetPracticeHandler,
    ListMembersHandler,
    PracticeAccessGuard,
    { provide: MembershipLookup, inject: [PG_POOL_TOKEN], useFactory: (pool: Pool) => new PgMembershipLookup(pool) },
  ],
  exports: [MembershipLookup, PracticeAccessGuard],
})
export class TenancyModule {}
