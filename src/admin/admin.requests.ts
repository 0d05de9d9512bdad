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

export class InboxDeadLettersQuery {
  @ApiPropertyOptional({ example: 'notifications.guest-confirmations' })
  @IsOptional() @IsString() @Length(1, 200)
  consumer?: string;
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

export class SagaCommandsQuery {
  @ApiPropertyOptional({ description: 'Only this saga’s commands', example: 'reservation-deposit' })
  @IsOptional() @IsString() @Length(1, 100)
  saga?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

export class StreamsQuery {
  @ApiPropertyOptional({ description: 'Only this tenant’s streams (a practice id)', example: '3f1c2d9e-8a51-4c1e-9a57-2f0f1b6f4a10' })
  @IsOptional() @IsString() @Length(1, 255)
  tenant?: string;

  @ApiPropertyOptional({ description: 'Only streams of this aggregate type', example: 'reservation' })
  @IsOptional() @IsString() @Length(1, 255)
  type?: string;

  @ApiPropertyOptional({ description: 'Only streams whose aggregate id starts with this text (no wildcards)', example: '8c2e' })
  @IsOptional() @IsString() @Length(1, 255)
  idPrefix?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @Length(1, 4096)
  cursor?: string;
}

export class StreamEventsQuery {
  @ApiPropertyOptional({ description: 'First version to return', minimum: 1, default: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2_147_483_647)
  fromVersion?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;
}

export class CorrelationQuery {
  @ApiPropertyOptional({ description: 'Only this tenant’s chain; omitted: every tenant with an event carrying the correlation id' })
  @IsOptional() @IsString() @Length(1, 255)
  tenant?: string;
}
