import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** Ids the sender (the deposit saga) may choose: not only UUIDs, but nothing a URL or a log would mangle. */
export const PAYMENT_ID = /^[A-Za-z0-9][\w.:-]{0,127}$/;

export class PaymentIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!PAYMENT_ID.test(value)) {
      const message = 'paymentId must be 1-128 characters of [A-Za-z0-9_.:-], starting with a letter or digit';
      throw new BadRequestException({ code: 'INVALID_PAYMENT_ID', message });
    }
    return value;
  }
}
