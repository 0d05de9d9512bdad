import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from 'pg';
import { EVENT_STORE, EventSourcingModule, type EventStore, PG_POOL_TOKEN } from '../../event-sourcing/index.js';
import { TenancyModule } from '../tenancy/public-api.js';
import { GetGuestProfileHandler, GUEST_PROFILES } from './application/queries/get-guest-profile.query.js';
import { GetOccupancyHandler } from './application/queries/get-occupancy.query.js';
import { GetReservationAtHandler } from './application/queries/get-reservation-at.query.js';
import { GetReservationHistoryHandler } from './application/queries/get-reservation-history.query.js';
import { GetReservationHandler } from './application/queries/get-reservation.query.js';
import { ListReservationsHandler } from './application/queries/list-reservations.query.js';
import { guestProfiles } from './infrastructure/guest-profiles.factory.js';
import { occupancyProjection } from './infrastructure/occupancy.projection.js';
import { GuestsController } from './presentation/guests.controller.js';
import { OccupancyController } from './presentation/occupancy.controller.js';
import { ReservationCommandsController } from './presentation/reservation-commands.controller.js';
import { ReservationQueriesController } from './presentation/reservation-queries.controller.js';
import { ReservationValidationController } from './presentation/reservation-validation.controller.js';
import { reservations } from './reservation.aggregate.js';
import { reservationDepositSaga } from './application/sagas/reservation-deposit.saga.js';

export interface ReservationsSettings {
  /** How long a reservation made with a deposit waits for the payment (DEPOSIT_DEADLINE_SECONDS). */
  readonly depositDeadlineSeconds: number;
}

@Module({})
export class ReservationsModule {
  static forRoot({ depositDeadlineSeconds }: ReservationsSettings): DynamicModule {
    return {
      module: ReservationsModule,
      imports: [
        TenancyModule,
        EventSourcingModule.forFeature({
          aggregates: [reservations],
          asyncProjections: [occupancyProjection],
          sagas: [reservationDepositSaga(depositDeadlineSeconds)],
        }),
      ],
      controllers: [ReservationCommandsController, ReservationQueriesController, OccupancyController, ReservationValidationController, GuestsController],
      providers: [
        { provide: GUEST_PROFILES, inject: [PG_POOL_TOKEN, EVENT_STORE], useFactory: (pool: Pool, store: EventStore) => guestProfiles(pool, store) },
        GetGuestProfileHandler,
        GetOccupancyHandler,
        GetReservationHandler,
        GetReservationAtHandler,
        GetReservationHistoryHandler,
        ListReservationsHandler,
      ],
    };
  }
}
