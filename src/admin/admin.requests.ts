import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

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
