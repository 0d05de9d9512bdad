import { assertNever } from '../../../event-sourcing/domain/index.js';
import type { PracticeEvent } from './practice.events.js';
import type { Role } from './role.js';

export type Practice =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly name: string; readonly members: Readonly<Record<string, Role>> };

export const initialPractice: Practice = { status: 'none' };

/**
 * The member's role, read as an own property only: user ids are free text, and `members[id]`
 * would answer `toString`, `constructor` or `__proto__` with what every object inherits. The
 * members stay a plain object rather than a Map because snapshots store the state as JSON.
 */
export const roleOf = (members: Readonly<Record<string, Role>>, userId: string): Role | undefined =>
  Object.hasOwn(members, userId) ? members[userId] : undefined;

export const evolvePractice = (state: Practice, event: PracticeEvent): Practice => {
  switch (event.type) {
    case 'practice.created':
      return { status: 'active', name: event.data.name, members: {} };
    case 'practice.updated':
      return state.status === 'active' ? { ...state, name: event.data.name } : state;
    case 'membership.created':
    case 'membership.role_changed':
      return state.status === 'active'
        ? { ...state, members: { ...state.members, [event.data.userId]: event.data.role } }
        : state;
    default:
      return assertNever(event);
  }
};
