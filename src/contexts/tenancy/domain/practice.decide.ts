import { assertNever, byCommandType, type CommandMetadata, type Decider, type DirectAppendContext } from '../../../event-sourcing/domain/index.js';
import type { AddMember, ChangeMemberRole, CreatePractice, PracticeCommand, UpdatePractice } from './practice.commands.js';
import {
  LastOwnerCannotBeDemoted,
  MemberAlreadyExists,
  MemberNotFound,
  PracticeAlreadyExists,
  PracticeNotFound,
  RoleTooLow,
  RoleUnchanged,
} from './practice.errors.js';
import {
  membershipCreated,
  membershipRoleChanged,
  practiceCreated,
  practiceUpdated,
  type PracticeEvent,
} from './practice.events.js';
import { evolvePractice, initialPractice, type Practice, roleOf } from './practice.state.js';
import { isAtLeast, type Role } from './role.js';

type ActivePractice = Extract<Practice, { status: 'active' }>;

const requireActive = (state: Practice, metadata: CommandMetadata): ActivePractice => {
  if (state.status !== 'active') throw new PracticeNotFound(metadata.tenantId);
  return state;
};

/**
 * In-process automation (a saga, a reactor) acts as the system with no user behind it and
 * needs no role. Anyone with a user id needs one, whatever actor type they claim: over HTTP
 * every caller has a user id, so a token or gateway header saying `system` grants nothing here.
 */
const requireRole = (state: ActivePractice, metadata: CommandMetadata, action: string, required: Role): void => {
  if (metadata.actor.type === 'system' && metadata.actor.id === null) return;
  const actual = metadata.actor.id ? roleOf(state.members, metadata.actor.id) : undefined;
  if (!isAtLeast(actual, required)) throw new RoleTooLow(action, required, actual);
};

export const createPractice = ({ data, metadata }: CreatePractice, state: Practice): PracticeEvent[] => {
  if (state.status !== 'none') throw new PracticeAlreadyExists(data.practiceId);
  const creator = metadata.actor.id;
  // The creator becomes the owner, so no practice is ever without one.
  return creator
    ? [practiceCreated({ name: data.name }), membershipCreated({ userId: creator, role: 'owner' })]
    : [practiceCreated({ name: data.name })];
};

export const updatePractice = ({ data, metadata }: UpdatePractice, state: Practice): PracticeEvent[] => {
  const practice = requireActive(state, metadata);
  requireRole(practice, metadata, 'Updating the practice', 'admin');
  return practice.name === data.name ? [] : [practiceUpdated({ name: data.name })];
};

export const addMember = ({ data, metadata }: AddMember, state: Practice): PracticeEvent[] => {
  const practice = requireActive(state, metadata);
  requireRole(practice, metadata, 'Adding a member', data.role === 'owner' ? 'owner' : 'admin');
  if (roleOf(practice.members, data.userId)) throw new MemberAlreadyExists(data.userId);
  return [membershipCreated({ userId: data.userId, role: data.role })];
};

export const changeMemberRole = ({ data, metadata }: ChangeMemberRole, state: Practice): PracticeEvent[] => {
  const practice = requireActive(state, metadata);
  const previousRole = roleOf(practice.members, data.userId);
  requireRole(practice, metadata, 'Changing roles', previousRole === 'owner' || data.role === 'owner' ? 'owner' : 'admin');
  if (!previousRole) throw new MemberNotFound(data.userId);
  if (previousRole === data.role) throw new RoleUnchanged(data.userId, data.role);
  const owners = Object.values(practice.members).filter((role) => role === 'owner').length;
  if (previousRole === 'owner' && owners === 1) throw new LastOwnerCannotBeDemoted(data.userId);
  return [membershipRoleChanged({ userId: data.userId, role: data.role, previousRole })];
};

/** The command that stands behind an event appended directly (generic events API). */
export const practiceCommandFor = (event: PracticeEvent, { aggregateId, metadata }: DirectAppendContext): PracticeCommand => {
  switch (event.type) {
    case 'practice.created':
      return { type: 'CreatePractice', data: { practiceId: aggregateId, name: event.data.name }, metadata };
    case 'practice.updated':
      return { type: 'UpdatePractice', data: event.data, metadata };
    case 'membership.created':
      return { type: 'AddMember', data: event.data, metadata };
    case 'membership.role_changed':
      return { type: 'ChangeMemberRole', data: { userId: event.data.userId, role: event.data.role }, metadata };
    default:
      return assertNever(event);
  }
};

export const practiceDecider: Decider<Practice, PracticeCommand, PracticeEvent> = {
  initialState: initialPractice,
  decide: byCommandType({ CreatePractice: createPractice, UpdatePractice: updatePractice, AddMember: addMember, ChangeMemberRole: changeMemberRole }),
  evolve: evolvePractice,
};
