import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../../../auth/public.decorator.js';
import { Commands } from '../../../event-sourcing/index.js';
import { commandForCallback, type ProviderCallback } from '../application/provider-callback.js';
import { payments } from '../payment.aggregate.js';
import { ProviderCallbackRequest } from './payments.requests.js';
import { SIGNATURE_TOLERANCE_SECONDS } from './provider-signature.js';
import { ProviderSignatureGuard } from './provider-signature.guard.js';

/**
 * The payment provider's webhook: its answers to charges, authenticated by its signature, not
 * by a member's token. Members cannot record a capture or a failure at all: the payment's
 * outcome is a fact about money only the provider states.
 */
@ApiTags('payments')
@Public()
@Controller('v1/payment-provider')
export class ProviderCallbacksController {
  @Post('callbacks') @HttpCode(200)
  @RouteConfig({ rawBody: true })
  @UseGuards(ProviderSignatureGuard)
  @ApiOperation({
    summary: "A payment provider's answer to a charge or a refund, signed",
    description:
      'For the provider, not for members: the body is signed with PAYMENT_WEBHOOK_SECRET (HMAC-SHA256 over "<t>.<body as sent>"), '
      + `and the signature's time must be within ${SIGNATURE_TOLERANCE_SECONDS} s of the server's. `
      + 'The practice and the payment are taken from the signed body. A capture after the void or a decline is recorded and refunded (200); '
      + 'a declined refund is recorded and the payment still owes it (200, refund_due; GET shows refundDeclinedReason); '
      + 'the same capture or refund confirmation again is a no-op 200; '
      + 'a 503 (the database) asks for the answer again.',
  })
  @ApiHeader({
    name: 'Payment-Signature',
    required: true,
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">; several v1 while the secret is rolled',
    schema: { type: 'string' },
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Not used here: a provider repeats an answer as it is, and the same answer again records nothing.',
    schema: { type: 'string' },
  })
  @ApiOkResponse({ description: '{ paymentId, status, version }; the same capture again is a no-op 200' })
  @ApiUnauthorizedResponse({ description: 'INVALID_SIGNATURE: no Payment-Signature, a malformed or stale one, or one that does not match; nothing is written' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a signed body that is no answer' })
  @ApiNotFoundResponse({ description: 'PAYMENT_NOT_FOUND: no such payment in that practice' })
  @ApiConflictResponse({ description: 'PAYMENT_NOT_PENDING: a decline after the void, or a capture under another reference; NO_REFUND_DUE: a refund confirmed or declined for a payment that owes none' })
  async record(@Body() body: ProviderCallbackRequest, @Commands() commands: Commands) {
    const { paymentId, practiceId } = body;
    const { state, version } = await commands.send(payments, commandForCallback(paymentId, callbackOf(body)), { tenantId: practiceId });
    return { paymentId, status: state.status, version };
  }
}

/** The validated body as the union the application takes: only the chosen outcome's field. */
const callbackOf = (body: ProviderCallbackRequest): ProviderCallback => {
  switch (body.outcome) {
    case 'captured':
      return { outcome: 'captured', providerReference: body.providerReference ?? '' };
    case 'failed':
      return { outcome: 'failed', reason: body.reason ?? '' };
    case 'refunded':
      return { outcome: 'refunded', refundReference: body.refundReference ?? '' };
    case 'refund_declined':
      return { outcome: 'refund_declined', reason: body.reason ?? '' };
  }
};
