import { SetMetadata } from '@nestjs/common';

export const OPERATORS_ONLY = 'chronicle:operators-only';

/**
 * The route (or every route of the controller) spans tenants: only operators may call it
 * (`OperatorGuard`, one of the app's global guards).
 */
export const OperatorsOnly = () => SetMetadata(OPERATORS_ONLY, true);
