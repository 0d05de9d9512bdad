import type { Role } from '../domain/role.js';

/** Port: the caller's role in a practice, from the read model the practice's events keep current. */
export abstract class MembershipLookup {
  abstract roleOf(practiceId: string, userId: string): Promise<Role | null>;
}
