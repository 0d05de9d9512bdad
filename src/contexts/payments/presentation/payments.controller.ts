import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { etagOf } from '../../../event-sourcing/index.js';
import { PracticeAccess } from '../../tenancy/public-api.js';
import { GetPayment } from '../application/queries/get-payment.query.js';
import type { PaymentView } from '../application/payment.view.js';
import { PaymentIdPipe } from './payment-id.pipe.js';

/**
 * A practice's payments, to read. Requesting one is not a route: the reservation deposit saga
 * sends `RequestPayment`; the provider's answers arrive signed on its own route
 * (`ProviderCallbacksController`), never from a member.
 */
@ApiTags('payments')
@ApiBearerAuth()
@PracticeAccess('viewer')
@Controller('v1/practices/:practiceId/payments')
export class PaymentsController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get(':paymentId')
  @ApiOkResponse({ description: 'The payment from its read model; ETag: "<version>"' })
  @ApiNotFoundResponse({ description: 'PAYMENT_NOT_FOUND (also for other practices\' payments)' })
  async get(
    @Param('practiceId') practiceId: string,
    @Param('paymentId', PaymentIdPipe) paymentId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PaymentView> {
    const view = await this.queries.execute<GetPayment, PaymentView | null>(new GetPayment(practiceId, paymentId));
    if (!view) {
      throw new NotFoundException({ code: 'PAYMENT_NOT_FOUND', message: `Payment ${paymentId} does not exist` });
    }
    void reply.header('ETag', etagOf(view.version));
    return view;
  }
}
