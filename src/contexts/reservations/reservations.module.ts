import { Inject, Module } from '@nestjs/common';
import { AggregateCatalog } from '../../event-sourcing/aggregates/aggregate-catalog.js';
import { InlineProjections } from '../../event-sourcing/aggregates/inline-projections.js';
import { InlineFoldProjection } from '../../event-sourcing/projections/fold-projection.js';
import { EventRegistry } from '../../event-sourcing/store/event-registry.js';
import { TenancyModule } from '../tenancy/public-api.js';
import { GetReservationAtHandler } from './application/queries/get-reservation-at.query.js';
import { GetReservationHistoryHandler } from './application/queries/get-reservation-history.query.js';
import { GetReservationHandler } from './application/queries/get-reservation.query.js';
import { ListReservationsHandler } from './application/queries/list-reservations.query.js';
import { reservationDecider } from './domain/reservation.decide.js';
import { RESERVATION_EVENT_TYPES } from './domain/reservation.events.js';
import { reservationEventTypes } from './infrastructure/reservation.event-schemas.js';
import { reservationListProjection } from './infrastructure/reservation-list.projection.js';
import { ReservationCommandsController } from './presentation/reservation-commands.controller.js';
import { ReservationQueriesController } from './presentation/reservation-queries.controller.js';
import { OccupancyController } from './presentation/occupancy.controller.js';
import { ReservationValidationController } from './presentation/reservation-validation.controller.js';
import { GetOccupancyHandler } from './application/queries/get-occupancy.query.js';
import { occupancyProjection } from './infrastructure/occupancy.projection.js';
import { AsyncProjections } from '../../event-sourcing/projections/async-projections.js';

@Module({
  imports: [TenancyModule],
  controllers: [ReservationCommandsController, ReservationQueriesController, OccupancyController, ReservationValidationController],
  providers: [GetOccupancyHandler, GetReservationHandler, GetReservationAtHandler, GetReservationHistoryHandler, ListReservationsHandler],
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
    projections.register(new InlineFoldProjection(reservationListProjection));
    catalog.register({ decider: reservationDecider, eventTypes: RESERVATION_EVENT_TYPES });
  }
}
