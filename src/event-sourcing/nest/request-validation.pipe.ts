import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { firstOf, flattenViolations, listedViolations } from '../store/field-violations.js';

/**
 * Request DTOs are whitelisted: an unknown field is an error, not silently dropped.
 * Failures answer 400 `VALIDATION_FAILED` with one entry per bad field, the first 20 listed.
 */
export const requestValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) => {
      const violations = flattenViolations(errors);
      return new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: `Invalid request: ${firstOf(violations.map((v) => v.field))}`,
        details: listedViolations(violations),
      });
    },
  });
