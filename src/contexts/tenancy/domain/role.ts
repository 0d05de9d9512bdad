/** Roles in a practice, strongest first: owner > admin > staff > viewer (viewer reads only). */
export type Role = 'owner' | 'admin' | 'staff' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'admin', 'staff', 'viewer'];

const RANK: Record<Role, number> = { owner: 4, admin: 3, staff: 2, viewer: 1 };

export const isAtLeast = (role: Role | undefined, required: Role): boolean =>
  role !== undefined && RANK[role] >= RANK[required];
