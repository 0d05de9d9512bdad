import { assertNever } from '../../../event-sourcing/domain/index.js';
import type { PracticeEvent } from './practice.events.js';
import type { Role } from './role.js';

export type Practice =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly name: string; readonly members: Readonly<Record<string, Role>> };

export const initialPractice: Practice = { status: 'none' };

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
