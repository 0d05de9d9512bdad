import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiIfMatch, Commands, etagOf } from '../../../event-sourcing/index.js';
import { PracticeAccess } from '../../tenancy/public-api.js';
import { GetPayment } from '../application/queries/get-payment.query.js';
import type { PaymentView } from '../application/payment.view.js';
import { commandForCallback, type ProviderCallback } from '../application/provider-callback.js';
import { payments } from '../payment.aggregate.js';
import { PaymentIdPipe } from './payment-id.pipe.js';
import { PaymentCallbackRequest } from './payments.requests.js';

const ID = new PaymentIdPipe();

/**
 * A practice's payments. Requesting one is not a route: the reservation deposit saga sends
 * `RequestPayment`. The callback route records a provider's answer.
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
    @Param('paymentId', ID) paymentId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PaymentView> {
    const view = await this.queries.execute<GetPayment, PaymentView | null>(new GetPayment(practiceId, paymentId));
    if (!view) {
      throw new NotFoundException({ code: 'PAYMENT_NOT_FOUND', message: `Payment ${paymentId} does not exist` });
    }
    void reply.header('ETag', etagOf(view.version));
    return view;
  }

  /**
   * Staff for now, so the route can be tried by hand: a real provider would not be a member.
   * It would sign its callbacks instead, and this route would check that signature (and take
   * the practice and payment from the signed payload) in place of the membership.
   */
  @Post(':paymentId/callback') @HttpCode(200) @PracticeAccess('staff') @ApiIfMatch()
  @ApiOkResponse({ description: '{ paymentId, status, version }; the same capture again is a no-op 200' })
  @ApiConflictResponse({ description: 'PAYMENT_NOT_PENDING: the payment is no longer waiting for the provider' })
  async callback(
    @Param('paymentId', ID) paymentId: string,
    @Body() body: PaymentCallbackRequest,
    @Commands() commands: Commands,
  ) {
    const { state, version } = await commands.send(payments, commandForCallback(paymentId, callbackOf(body)));
    return { paymentId, status: state.status, version };
  }
}

/** The validated body as the union the application takes: only the chosen outcome's field. */
const callbackOf = (body: PaymentCallbackRequest): ProviderCallback =>
  body.outcome === 'captured'
    ? { outcome: 'captured', providerReference: body.providerReference ?? '' }
    : { outcome: 'failed', reason: body.reason ?? '' };
