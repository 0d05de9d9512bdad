import { Inject, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AggregateCatalog } from '../../event-sourcing/aggregates/aggregate-catalog.js';
import { InlineProjections } from '../../event-sourcing/aggregates/inline-projections.js';
import { PG_POOL_TOKEN } from '../../event-sourcing/nest/event-sourcing.tokens.js';
import { EventRegistry } from '../../event-sourcing/store/event-registry.js';
import { MembershipLookup } from './application/membership-lookup.js';
import { GetPracticeHandler } from './application/queries/get-practice.query.js';
import { ListMembersHandler } from './application/queries/list-members.query.js';
import { practiceDecider } from './domain/practice.decide.js';
import { userDecider } from './domain/user.js';
import { PgMembershipLookup } from './infrastructure/pg-membership-lookup.js';
import { practiceDirectoryChanges, practiceMembersChanges } from './infrastructure/practice-directory.projection.js';
import { InlineRowChangeProjection } from '../../event-sourcing/projections/inline-row-change.projection.js';
import { PRACTICE_EVENT_TYPES } from './domain/practice.events.js';
import { tenancyEventTypes } from './infrastructure/tenancy.event-schemas.js';
import { MembershipsController } from './presentation/memberships.controller.js';
import { PracticesController } from './presentation/practices.controller.js';
import { PracticeAccessGuard } from './presentation/practice-access.guard.js';

@Module({
  controllers: [PracticesController, MembershipsController],
  providers: [
    GetPracticeHandler,
    ListMembersHandler,
    PracticeAccessGuard,
    { provide: MembershipLookup, inject: [PG_POOL_TOKEN], useFactory: (pool: Pool) => new PgMembershipLookup(pool) },
  ],
  exports: [MembershipLookup, PracticeAccessGuard],
})
export class TenancyModule {
  constructor(
    @Inject(EventRegistry) registry: EventRegistry,
    @Inject(InlineProjections) projections: InlineProjections,
    @Inject(AggregateCatalog) catalog: AggregateCatalog,
  ) {
    registry.register(...tenancyEventTypes);
    projections.register(new InlineRowChangeProjection(practiceDirectoryChanges), new InlineRowChangeProjection(practiceMembersChanges));
    catalog.register({
      decider: practiceDecider,
      eventTypes: PRACTICE_EVENT_TYPES,
      isTenant: true,
    });
    catalog.register({ decider: userDecider, eventTypes: ['user.created'] });
  }
}
