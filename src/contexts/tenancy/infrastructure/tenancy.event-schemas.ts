import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { type EventSchemas } from '../../../event-sourcing/index.js';
import type { PracticeEvent } from '../domain/practice.events.js';
import type { UserEvent } from '../domain/user.js';
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

/** The payload schema of each practice event type. */
export const practiceEventSchemas: EventSchemas<PracticeEvent> = {
  'practice.created': PracticeNamed,
  'practice.updated': PracticeNamed,
  'membership.created': MembershipCreatedPayload,
  'membership.role_changed': MembershipRoleChangedPayload,
};

export const userEventSchemas: EventSchemas<UserEvent> = { 'user.created': UserCreatedPayload };
