import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class ReplayRequest {
  @ApiPropertyOptional({ description: 'Global position to replay from (default: the beginning)', example: 1 })
  @IsOptional() @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  fromPosition?: number;
}

export class DeadLettersQuery {
  @ApiPropertyOptional({ example: 'occupancy' })
  @IsOptional() @IsString() @Length(1, 100)
  projection?: string;
}

export class SagaInstancesQuery {
  @ApiPropertyOptional({ enum: ['active', 'done'] })
  @IsOptional() @IsIn(['active', 'done'])
  status?: 'active' | 'done';

  @ApiPropertyOptional({ description: 'The saga name', example: 'reservation-deposit' })
  @IsOptional() @IsString() @Length(1, 100)
  type?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}
