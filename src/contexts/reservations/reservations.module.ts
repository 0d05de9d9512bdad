import { Inject, Module } from '@nestjs/common';
import { AggregateCatalog } from '../../event-sourcing/aggregates/aggregate-catalog.js';
import { InlineProjections } from '../../event-sourcing/aggregates/inline-projections.js';
import { EventRegistry } from '../../event-sourcing/store/event-registry.js';
import { TenancyModule } from '../tenancy/public-api.js';
import { GetReservationAtHandler } from './application/queries/get-reservation-at.query.js';
import { GetReservationHistoryHandler } from './application/queries/get-reservation-history.query.js';
import { GetReservationHandler } from './application/queries/get-reservation.query.js';
import { ListReservationsHandler } from './application/queries/list-reservations.query.js';
import { reservationDecider } from './domain/reservation.decide.js';
import { RESERVATION_EVENT_TYPES } from './domain/reservation.events.js';
import { reservationEventTypes } from './infrastructure/reservation.event-schemas.js';
import { InlineRowChangeProjection } from '../../event-sourcing/projections/inline-row-change.projection.js';
import { reservationListChanges } from './infrastructure/reservation-list.projection.js';
import { ReservationCommandsController } from './presentation/reservation-commands.controller.js';
import { ReservationQueriesController } from './presentation/reservation-queries.controller.js';
import { OccupancyController } from './presentation/occupancy.controller.js';
import { ReservationValidationController } from './presentation/reservation-validation.controller.js';
import { GuestsController } from './presentation/guests.controller.js';
import { GetGuestProfileHandler, GUEST_PROFILES } from './application/queries/get-guest-profile.query.js';
import { guestProfiles } from './infrastructure/guest-profiles.factory.js';
import { EVENT_STORE, PG_POOL_TOKEN } from '../../event-sourcing/nest/event-sourcing.tokens.js';
import type { Pool } from 'pg';
import type { EventStore } from '../../event-sourcing/store/event-store.js';
import { GetOccupancyHandler } from './application/queries/get-occupancy.query.js';
import { occupancyProjection } from './infrastructure/occupancy.projection.js';
import { AsyncProjections } from '../../event-sourcing/projections/async-projections.js';

@Module({
  imports: [TenancyModule],
  controllers: [ReservationCommandsController, ReservationQueriesController, OccupancyController, ReservationValidationController, GuestsController],
  providers: [
    { provide: GUEST_PROFILES, inject: [PG_POOL_TOKEN, EVENT_STORE], useFactory: (pool: Pool, store: EventStore) => guestProfiles(pool, store) },
    GetGuestProfileHandler,
    GetOccupancyHandler, GetReservationHandler, GetReservationAtHandler, GetReservationHistoryHandler, ListReservationsHandler],
})
export class ReservationsModule {
  constructor(
    @Inject(EventRegistry) registry: EventRegistry,
    @Inject(InlineProjections) projections: InlineProjections,
    @Inject(AggregateCatalog) catalog: AggregateCatalog,
    @Inject(AsyncProjections) asyncProjections: AsyncProjections,
  ) {
    asyncProjections.register(occupancyProjection);
    registry.register(...reservationEventTypes);
    projections.register(new InlineRowChangeProjection(reservationListChanges));
    catalog.register({ decider: reservationDecider, eventTypes: RESERVATION_EVENT_TYPES });
  }
}
