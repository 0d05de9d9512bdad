/** What other contexts and the app may use of tenancy: access checks by practice role. */
export { TenancyModule } from './tenancy.module.js';
export { PracticeAccess } from './presentation/practice-access.decorator.js';
export { PracticeAccessGuard, type AdmittedRequest } from './presentation/practice-access.guard.js';
export { MembershipLookup } from './application/membership-lookup.js';
export type { Role } from './domain/role.js';
