import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import type { PayloadClass } from '../store/payload-class.js';
import { compileQuickCheck } from '../store/payload-quick-check.js';
import { classArbitrary } from './payload-arbitrary.js';

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true };

/**
 * The registry's long way alone: plainToInstance + validateSync, as `EventRegistry.validate` calls them. A throw
 * counts as a refusal: plainToInstance throws on some objects (`{ "constructor": "x" }` where no class is given).
 */
export const classValidatorAccepts = (payload: PayloadClass, data: Record<string, unknown>): boolean => {
  const forbidUnknownValues = Object.keys(data).length > 0;
  try {
    return validateSync(plainToInstance(payload, data), { ...OPTIONS, forbidUnknownValues }).length === 0;
  } catch {
    return false;
  }
};

export interface Agreement {
  /** Payloads the quick check accepted itself: none would mean the property was never put to the test. */
  readonly quickAccepted: number;
  readonly classValidatorAccepted: number;
}

/**
 * A fast-check property over payloads of one class (valid-looking ones, and ones with nasty values, missing and
 * extra keys at every depth): whenever the quick check accepts a payload, class-validator accepts it too.
 * Throws fast-check's counterexample otherwise.
 */
export const checkQuickCheckAgreement = (payload: PayloadClass, numRuns: number): Agreement => {
  const quick = compileQuickCheck(payload);
  let quickAccepted = 0;
  let classValidatorAccepted = 0;
  fc.assert(
    fc.property(classArbitrary(payload), (data) => {
      const accepted = classValidatorAccepts(payload, data);
      if (accepted) classValidatorAccepted++;
      if (!quick(data)) return true;
      quickAccepted++;
      return accepted;
    }),
    { numRuns },
  );
  return { quickAccepted, classValidatorAccepted };
};
