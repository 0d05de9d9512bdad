import { SetMetadata } from '@nestjs/common';
import type { Role } from '../domain/role.js';

export const PRACTICE_ROLE = 'chronicle:practice-role';

/**
 * The route acts inside the practice named by `:practiceId` (or `practiceId` in the body):
 * the caller must be a member with at least `role`.
 */
export const PracticeAccess = (role: Role) => SetMetadata(PRACTICE_ROLE, role);
