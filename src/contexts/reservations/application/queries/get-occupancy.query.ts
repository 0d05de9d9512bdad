import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL_TOKEN } from '../../../../event-sourcing/index.js';

export interface OccupancyDay {
  readonly date: string;
  readonly reserved: number;
}

/** Rooms reserved per night in [from, to] (calendar days, inclusive), every day listed. */
export class GetOccupancy {
  constructor(
    readonly practiceId: string,
    readonly from: string,
    readonly to: string,
  ) {}
}

@QueryHandler(GetOccupancy)
export class GetOccupancyHandler implements IQueryHandler<GetOccupancy, OccupancyDay[]> {
  constructor(@Inject(PG_POOL_TOKEN) private readonly pool: Pool) {}

  async execute({ practiceId, from, to }: GetOccupancy): Promise<OccupancyDay[]> {
    const { rows } = await this.pool.query<OccupancyDay>(
      `SELECT to_char(d, 'YYYY-MM-DD') AS date, coalesce(o.reserved, 0) AS reserved
       FROM generate_series($2::date, $3::date, interval '1 day') AS d
       LEFT JOIN occupancy_days o ON o.practice_id = $1 AND o.day = d::date
       ORDER BY d`,
      [practiceId, from, to],
    );
    return rows;
  }
}
