import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { firstOf, listedViolations } from '../store/field-violations.js';

/** For commands that take no fields: any field sent is an error, as on every other route. */
@Injectable()
export class NoFieldsPipe implements PipeTransform {
  transform(body: unknown): undefined {
    if (body === undefined || body === null) return undefined;
    const fields = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : ['(body)'];
    if (fields.length > 0) {
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: `Invalid request: ${firstOf(fields)}`,
        details: listedViolations(
          fields.map((field) => ({ field, constraints: [`property ${field} should not exist`] })),
        ),
      });
    }
    return undefined;
  }
}
