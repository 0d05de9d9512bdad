import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import { PAYMENT_ID } from './payment-id.pipe.js';

const OUTCOMES = ['captured', 'failed', 'refunded', 'refund_declined'] as const;

/**
 * A provider's answer, as it posts it signed: to a charge, `captured` with its reference or
 * `failed` with the reason; to a refund it was asked for, `refunded` with the refund's
 * reference or `refund_declined` with the reason. The practice and the payment are in the
 * signed body (the charge handed to the provider named both), so no part of the request
 * outside the signature says which payment it is about.
 */
export class ProviderCallbackRequest {
  @ApiProperty({ format: 'uuid', description: 'the practice of the charge' })
  @IsUUID()
  practiceId!: string;

  @ApiProperty({ example: '0b9f…', description: 'the payment of the charge (its idempotency key at the provider)' })
  @IsString() @Matches(PAYMENT_ID, { message: 'paymentId must be 1-128 characters of [A-Za-z0-9_.:-], starting with a letter or digit' })
  paymentId!: string;

  @ApiProperty({ enum: OUTCOMES })
  @IsIn(OUTCOMES)
  outcome!: (typeof OUTCOMES)[number];

  @ApiPropertyOptional({ example: 'ch_3Nq…', description: 'required when outcome is captured' })
  @ValidateIf((body: ProviderCallbackRequest) => body.outcome === 'captured')
  @IsString() @Length(1, 255)
  providerReference?: string;

  @ApiPropertyOptional({ example: 'card declined', description: 'required when outcome is failed or refund_declined' })
  @ValidateIf((body: ProviderCallbackRequest) => body.outcome === 'failed' || body.outcome === 'refund_declined')
  @IsString() @Length(1, 500)
  reason?: string;

  @ApiPropertyOptional({ example: 're_3Nq…', description: 'required when outcome is refunded: the provider\'s reference of the refund it made' })
  @ValidateIf((body: ProviderCallbackRequest) => body.outcome === 'refunded')
  @IsString() @Length(1, 255)
  refundReference?: string;
}
