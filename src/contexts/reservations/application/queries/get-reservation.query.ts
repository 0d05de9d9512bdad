import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL_TOKEN } from '../../../../event-sourcing/index.js';
import type { ReservationRow } from '../../infrastructure/reservation-list.projection.js';
import { toReservationView, type ReservationView } from '../reservation.view.js';

export class GetReservation {
  constructor(
    readonly practiceId: string,
    readonly reservationId: string,
  ) {}
}

@QueryHandler(GetReservation)
export class GetReservationHandler implements IQueryHandler<GetReservation, ReservationView | null> {
  constructor(@Inject(PG_POOL_TOKEN) private readonly pool: Pool) {}

  async execute({ practiceId, reservationId }: GetReservation): Promise<ReservationView | null> {
    const { rows } = await this.pool.query<ReservationRow>(
      `SELECT * FROM reservations WHERE practice_id = $1 AND reservation_id = $2`,
      [practiceId, reservationId],
    );
    return rows[0] ? toReservationView(rows[0]) : null;
  }
}
