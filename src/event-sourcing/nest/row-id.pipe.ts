import { type ArgumentMetadata, BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { exactWholeNumber } from '../domain/exact-whole-number.js';

/**
 * A path parameter naming a row by its bigserial id (a dead letter's): 400 `INVALID_ID` unless it
 * is a whole number from 1 that a JavaScript number holds exactly. Nest's ParseIntPipe took
 * `99999999999999999999` and acted on a rounded id, another row's or none.
 */
@Injectable()
export class RowIdPipe implements PipeTransform<string, number> {
  transform(value: string, { data }: ArgumentMetadata): number {
    const id = exactWholeNumber(value, 1);
    if (id === null) {
      const message = `${data ?? 'id'} must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`;
      throw new BadRequestException({ code: 'INVALID_ID', message });
    }
    return id;
  }
}
