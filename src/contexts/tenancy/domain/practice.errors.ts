import { DomainError } from '../../../event-sourcing/domain/index.js';
import type { Role } from './role.js';

export class PracticeNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'PRACTICE_NOT_FOUND';
  constructor(practiceId: string) {
    super(`Practice ${practiceId} does not exist`, { practiceId });
  }
}

export class PracticeAlreadyExists extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'PRACTICE_ALREADY_EXISTS';
  constructor(practiceId: string) {
    super(`Practice ${practiceId} already exists`, { practiceId });
  }
}

export class RoleTooLow extends DomainError {
  readonly kind = 'forbidden';
  readonly code = 'ROLE_TOO_LOW';
  constructor(action: string, required: Role, actual: Role | undefined) {
    super(`${action} needs the ${required} role; the caller is ${actual ?? 'not a member'}`, { required, actual: actual ?? null });
  }
}

export class MemberAlreadyExists extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'MEMBER_ALREADY_EXISTS';
  constructor(userId: string) {
    super(`User ${userId} is already a member`, { userId });
  }
}

export class MemberNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'MEMBER_NOT_FOUND';
  constructor(userId: string) {
    super(`User ${userId} is not a member`, { userId });
  }
}

export class LastOwnerCannotBeDemoted extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'LAST_OWNER_CANNOT_BE_DEMOTED';
  constructor(userId: string) {
    super(`User ${userId} is the practice's last owner`, { userId });
  }
}

export class RoleUnchanged extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'ROLE_UNCHANGED';
  constructor(userId: string, role: Role) {
    super(`User ${userId} already has the ${role} role`, { userId, role });
  }
}
