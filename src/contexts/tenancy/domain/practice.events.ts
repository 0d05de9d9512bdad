import type { DomainEvent } from '../../../event-sourcing/domain/index.js';
import type { Role } from './role.js';

export type PracticeCreated = DomainEvent<'practice.created', { readonly name: string }>;
export type PracticeUpdated = DomainEvent<'practice.updated', { readonly name: string }>;
export type MembershipCreated = DomainEvent<'membership.created', { readonly userId: string; readonly role: Role }>;
export type MembershipRoleChanged = DomainEvent<
  'membership.role_changed',
  { readonly userId: string; readonly role: Role; readonly previousRole: Role }
>;

export type PracticeEvent = PracticeCreated | PracticeUpdated | MembershipCreated | MembershipRoleChanged;

export const practiceCreated = (data: PracticeCreated['data']): PracticeCreated => ({ type: 'practice.created', data });
export const practiceUpdated = (data: PracticeUpdated['data']): PracticeUpdated => ({ type: 'practice.updated', data });
export const membershipCreated = (data: MembershipCreated['data']): MembershipCreated => ({ type: 'membership.created', data });
export const membershipRoleChanged = (data: MembershipRoleChanged['data']): MembershipRoleChanged => ({
  type: 'membership.role_changed',
  data,
});
