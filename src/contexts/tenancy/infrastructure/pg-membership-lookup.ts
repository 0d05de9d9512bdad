import type { Pool } from 'pg';
import { MembershipLookup } from '../application/membership-lookup.js';
import type { Role } from '../domain/role.js';

export class PgMembershipLookup extends MembershipLookup {
  constructor(private readonly pool: Pool) {
    super();
  }

  async roleOf(practiceId: string, userId: string): Promise<Role | null> {
    const { rows } = await this.pool.query<{ role: Role }>(
      `SELECT role FROM practice_members WHERE practice_id = $1 AND user_id = $2`,
      [practiceId, userId],
    );
    return rows[0]?.role ?? null;
  }
}
