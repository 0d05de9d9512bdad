import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL_TOKEN } from '../../../../event-sourcing/index.js';

export interface PracticeView {
  readonly practiceId: string;
  readonly name: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export class GetPractice {
  constructor(readonly practiceId: string) {}
}

@QueryHandler(GetPractice)
export class GetPracticeHandler implements IQueryHandler<GetPractice, PracticeView | null> {
  constructor(@Inject(PG_POOL_TOKEN) private readonly pool: Pool) {}

  async execute({ practiceId }: GetPractice): Promise<PracticeView | null> {
    const { rows } = await this.pool.query<PracticeView>(
      `SELECT practice_id AS "practiceId", name, version,
              to_json(created_at)#>>'{}' AS "createdAt", to_json(updated_at)#>>'{}' AS "updatedAt"
       FROM practices WHERE practice_id = $1`,
      [practiceId],
    );
    return rows[0] ?? null;
  }
}
