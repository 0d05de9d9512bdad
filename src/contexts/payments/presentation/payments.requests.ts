import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, ValidateIf } from 'class-validator';

const OUTCOMES = ['captured', 'failed'] as const;

/** A provider's callback: `captured` with its reference, or `failed` with the reason. */
export class PaymentCallbackRequest {
  @ApiProperty({ enum: OUTCOMES })
  @IsIn(OUTCOMES)
  outcome!: (typeof OUTCOMES)[number];

  @ApiPropertyOptional({ example: 'ch_3Nq…', description: 'required when outcome is captured' })
  @ValidateIf((body: PaymentCallbackRequest) => body.outcome === 'captured')
  @IsString() @Length(1, 255)
  providerReference?: string;

  @ApiPropertyOptional({ example: 'card declined', description: 'required when outcome is failed' })
  @ValidateIf((body: PaymentCallbackRequest) => body.outcome === 'failed')
  @IsString() @Length(1, 500)
  reason?: string;
}
