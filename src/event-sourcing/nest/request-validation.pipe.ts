import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

const violationsOf = (errors: readonly ValidationError[], parent = ''): { field: string; constraints: string[] }[] =>
  errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, constraints: Object.values(error.constraints) }] : [];
    return [...own, ...violationsOf(error.children ?? [], field)];
  });

/**
 * Request DTOs are whitelisted: an unknown field is an error, not silently dropped.
 * Failures answer 400 `VALIDATION_FAILED` with one entry per bad field.
 */
export const requestValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) => {
      const violations = violationsOf(errors);
      return new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: `Invalid request: ${violations.map((v) => v.field).join(', ')}`,
        details: { violations },
      });
    },
  });
