import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL_TOKEN } from '../../../../event-sourcing/index.js';
import type { Role } from '../../domain/role.js';

export interface MemberView {
  readonly userId: string;
  readonly role: Role;
  readonly joinedAt: string;
}

export class ListMembers {
  constructor(readonly practiceId: string) {}
}

@QueryHandler(ListMembers)
export class ListMembersHandler implements IQueryHandler<ListMembers, MemberView[]> {
  constructor(@Inject(PG_POOL_TOKEN) private readonly pool: Pool) {}

  async execute({ practiceId }: ListMembers): Promise<MemberView[]> {
    const { rows } = await this.pool.query<MemberView>(
      `SELECT user_id AS "userId", role, to_json(joined_at)#>>'{}' AS "joinedAt"
       FROM practice_members WHERE practice_id = $1 ORDER BY joined_at, user_id`,
      [practiceId],
    );
    return rows;
  }
}
