import { domainError } from '../../../event-sourcing/domain/index.js';
import type { Role } from './role.js';

export class PracticeNotFound extends domainError('not-found', 'PRACTICE_NOT_FOUND') {
  constructor(practiceId: string) {
    super(`Practice ${practiceId} does not exist`, { practiceId });
  }
}

export class PracticeAlreadyExists extends domainError('conflict', 'PRACTICE_ALREADY_EXISTS') {
  constructor(practiceId: string) {
    super(`Practice ${practiceId} already exists`, { practiceId });
  }
}

export class RoleTooLow extends domainError('forbidden', 'ROLE_TOO_LOW') {
  constructor(action: string, required: Role, actual: Role | undefined) {
    super(`${action} needs the ${required} role; the caller is ${actual ?? 'not a member'}`, { required, actual: actual ?? null });
  }
}

export class MemberAlreadyExists extends domainError('conflict', 'MEMBER_ALREADY_EXISTS') {
  constructor(userId: string) {
    super(`User ${userId} is already a member`, { userId });
  }
}

export class MemberNotFound extends domainError('not-found', 'MEMBER_NOT_FOUND') {
  constructor(userId: string) {
    super(`User ${userId} is not a member`, { userId });
  }
}

export class LastOwnerCannotBeDemoted extends domainError('conflict', 'LAST_OWNER_CANNOT_BE_DEMOTED') {
  constructor(userId: string) {
    super(`User ${userId} is the practice's last owner`, { userId });
  }
}

export class RoleUnchanged extends domainError('conflict', 'ROLE_UNCHANGED') {
  constructor(userId: string, role: Role) {
    super(`User ${userId} already has the ${role} role`, { userId, role });
  }
}
