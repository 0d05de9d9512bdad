import type { Command } from '../../../event-sourcing/domain/index.js';
import type { Role } from './role.js';

export type CreatePractice = Command<'CreatePractice', { readonly practiceId: string; readonly name: string }>;
export type UpdatePractice = Command<'UpdatePractice', { readonly name: string }>;
export type AddMember = Command<'AddMember', { readonly userId: string; readonly role: Role }>;
export type ChangeMemberRole = Command<'ChangeMemberRole', { readonly userId: string; readonly role: Role }>;

export type PracticeCommand = CreatePractice | UpdatePractice | AddMember | ChangeMemberRole;
