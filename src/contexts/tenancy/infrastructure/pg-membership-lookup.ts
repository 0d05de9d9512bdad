import type { Pool } from 'pg';
import { MembershipLookup } from '../application/membership-lookup.js';
import type { Role } from '../domain/role.js';

/** Asked on every tenant-scoped request: named, so PostgreSQL parses and plans it once per connection. */
const ROLE_OF = {
  name: 'chronicle_role_of',
  text: `SELECT role FROM practice_members WHERE practice_id = $1 AND user_id = $2`,
};

export class PgMembershipLookup extends MembershipLookup {
  constructor(private readonly pool: Pool) {
    super();
  }

  async roleOf(practiceId: string, userId: string): Promise<Role | null> {
    const { rows } = await this.pool.query<{ role: Role }>({ ...ROLE_OF, values: [practiceId, userId] });
    return rows[0]?.role ?? null;
  }
}
