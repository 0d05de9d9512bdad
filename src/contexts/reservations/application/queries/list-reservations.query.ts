import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL_TOKEN } from '../../../../event-sourcing/index.js';
import type { ReservationRow, ReservationStatus } from '../../infrastructure/reservation-list.projection.js';
import { toReservationView, type ReservationView } from '../reservation.view.js';

export interface ReservationFilter {
  readonly status?: ReservationStatus;
  /** Stays that overlap [from, to] (calendar days, inclusive). */
  readonly from?: string;
  readonly to?: string;
  /** Continue after this (checkInDate, reservationId). */
  readonly after?: { readonly checkInDate: string; readonly reservationId: string };
  readonly limit: number;
}

export class ListReservations {
  constructor(
    readonly practiceId: string,
    readonly filter: ReservationFilter,
  ) {}
}

export interface ReservationPage {
  readonly reservations: ReservationView[];
  readonly next: { readonly checkInDate: string; readonly reservationId: string } | null;
}

/** Keyset paging by (check-in date, id): stable under concurrent inserts, index-backed. */
@QueryHandler(ListReservations)
export class ListReservationsHandler implements IQueryHandler<ListReservations, ReservationPage> {
  constructor(@Inject(PG_POOL_TOKEN) private readonly pool: Pool) {}

  async execute({ practiceId, filter }: ListReservations): Promise<ReservationPage> {
    const { rows } = await this.pool.query<ReservationRow>(
      `SELECT * FROM reservations
       WHERE practice_id = $1
         AND ($2::text IS NULL OR status = $2)
         AND ($3::date IS NULL OR check_out_date > $3)
         AND ($4::date IS NULL OR check_in_date <= $4)
         AND ($5::date IS NULL OR (check_in_date, reservation_id) > ($5::date, $6::text))
       ORDER BY check_in_date, reservation_id
       LIMIT $7`,
      [
        practiceId,
        filter.status ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.after?.checkInDate ?? null,
        filter.after?.reservationId ?? null,
        filter.limit + 1,
      ],
    );
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return {
      reservations: page.map(toReservationView),
      next: rows.length > filter.limit && last ? { checkInDate: last.check_in_date, reservationId: last.reservation_id } : null,
    };
  }
}
