import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { AggregateIdFormat } from '../aggregates/aggregate-id-format.js';

/**
 * A path parameter naming an aggregate, checked against the form its aggregate declares
 * (`idFormat`): 400 `INVALID_<TYPE>_ID` naming the parameter, in the API's words (Nest's
 * ParseUUIDPipe answered BAD_REQUEST with its own error body as details). An aggregate without
 * a format takes any id.
 */
export class AggregateIdPipe implements PipeTransform<string, string> {
  private readonly code: string;

  constructor(
    private readonly aggregate: { readonly type: string; readonly idFormat?: AggregateIdFormat },
    private readonly parameter: string,
  ) {
    this.code = `INVALID_${aggregate.type.toUpperCase()}_ID`;
  }

  transform(value: string): string {
    const format = this.aggregate.idFormat;
    if (format && !format.pattern.test(value)) {
      throw new BadRequestException({ code: this.code, message: `${this.parameter} must be ${format.description}` });
    }
    return value;
  }
}
