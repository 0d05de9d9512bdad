import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL_TOKEN } from '../../../../event-sourcing/index.js';
import type { PaymentRow } from '../../infrastructure/payment-list.projection.js';
import { toPaymentView, type PaymentView } from '../payment.view.js';

export class GetPayment {
  constructor(
    readonly practiceId: string,
    readonly paymentId: string,
  ) {}
}

@QueryHandler(GetPayment)
export class GetPaymentHandler implements IQueryHandler<GetPayment, PaymentView | null> {
  constructor(@Inject(PG_POOL_TOKEN) private readonly pool: Pool) {}

  async execute({ practiceId, paymentId }: GetPayment): Promise<PaymentView | null> {
    const { rows } = await this.pool.query<PaymentRow>(
      `SELECT * FROM payments WHERE practice_id = $1 AND payment_id = $2`,
      [practiceId, paymentId],
    );
    return rows[0] ? toPaymentView(rows[0]) : null;
  }
}
