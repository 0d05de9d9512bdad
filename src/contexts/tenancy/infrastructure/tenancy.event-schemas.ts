import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import type { EventTypeDefinition } from '../../../event-sourcing/store/event-registry.js';
import { ROLES, type Role } from '../domain/role.js';

class PracticeNamed {
  @IsString() @Length(1, 200) name!: string;
}

class MembershipCreatedPayload {
  @IsString() @Length(1, 255) userId!: string;
  @IsIn(ROLES) role!: Role;
}

class MembershipRoleChangedPayload {
  @IsString() @Length(1, 255) userId!: string;
  @IsIn(ROLES) role!: Role;
  @IsIn(ROLES) previousRole!: Role;
}

class UserCreatedPayload {
  @IsString() @Length(1, 200) name!: string;
  @IsOptional() @IsEmail() @MaxLength(320) email?: string;
}

/** The tenancy context's stored event types and their payload schemas. */
export const tenancyEventTypes: readonly EventTypeDefinition[] = [
  { type: 'practice.created', payload: PracticeNamed },
  { type: 'practice.updated', payload: PracticeNamed },
  { type: 'membership.created', payload: MembershipCreatedPayload },
  { type: 'membership.role_changed', payload: MembershipRoleChangedPayload },
  { type: 'user.created', payload: UserCreatedPayload },
];
