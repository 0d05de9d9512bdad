import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { ACTOR_TYPES, type ActorType } from '../event-sourcing/index.js';

export class AppendEventRequest {
  @ApiProperty({ example: '3f1c2d9e-8a51-4c1e-9a57-2f0f1b6f4a10' })
  @IsString() @Length(1, 255)
  practiceId!: string;

  @ApiProperty({ example: 'practice' })
  @IsString() @Length(1, 100)
  aggregateType!: string;

  @ApiProperty({ example: '3f1c2d9e-8a51-4c1e-9a57-2f0f1b6f4a10' })
  @IsString() @Length(1, 255)
  aggregateId!: string;

  @ApiProperty({ example: 'practice.updated' })
  @IsString() @Length(1, 100)
  eventType!: string;

  @ApiProperty({ example: { name: 'Practice Name' }, type: 'object', additionalProperties: true })
  @IsObject()
  payload!: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ACTOR_TYPES, description: 'Must match the authenticated caller when given' })
  @IsOptional() @IsIn(ACTOR_TYPES)
  actorType?: ActorType;

  @ApiPropertyOptional({ description: 'Must match the authenticated caller when given' })
  @IsOptional() @IsString() @Length(1, 255)
  actorId?: string;

  @ApiPropertyOptional({ description: 'The aggregate version this append is based on; 409 if it moved on', example: 1 })
  @IsOptional() @IsInt() @Min(0) @Max(2_147_483_647)
  expectedVersion?: number;

  @ApiPropertyOptional({ description: 'Makes the append idempotent: the same id again returns the stored event', format: 'uuid' })
  @IsOptional() @IsUUID()
  eventId?: string;
}

export class EventsByTypeQuery {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @Length(1, 64)
  cursor?: string;
}
