import type { ValidationError } from 'class-validator';

export interface FieldViolation {
  readonly field: string;
  readonly constraints: readonly string[];
}

/** Most violations an error lists; the rest are only counted, so an error stays small whatever the request held. */
export const MAX_LISTED_VIOLATIONS = 20;

/** class-validator's tree of errors as one violation per field, nested fields dotted (`customer.name`). */
export const flattenViolations = (errors: readonly ValidationError[], parent = ''): FieldViolation[] =>
  errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, constraints: Object.values(error.constraints) }] : [];
    return [...own, ...flattenViolations(error.children ?? [], field)];
  });

/** An error's details: the first violations and how many there are in all. */
export const listedViolations = (violations: readonly FieldViolation[]) => ({
  violations: violations.slice(0, MAX_LISTED_VIOLATIONS),
  violationCount: violations.length,
});

/** For an error's message: the first items, then how many more (`a, b, c and 979 more`). */
export const firstOf = (items: readonly string[]): string =>
  items.length <= MAX_LISTED_VIOLATIONS
    ? items.join(', ')
    : `${items.slice(0, MAX_LISTED_VIOLATIONS).join(', ')} and ${items.length - MAX_LISTED_VIOLATIONS} more`;
