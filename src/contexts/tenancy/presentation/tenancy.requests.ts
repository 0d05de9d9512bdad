import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsIdOf, NOT_A_DOT_SEGMENT } from '../../../event-sourcing/index.js';
import { ROLES, type Role } from '../domain/role.js';
import { practices } from '../practice.aggregate.js';

export class CreatePracticeRequest {
  @ApiProperty({ example: 'Harbour Dental' })
  @IsString() @Length(1, 200)
  name!: string;

  // In lower case: ids are compared as text, so the same UUID in capitals would be another practice.
  @ApiPropertyOptional({ description: 'Choose the id yourself, in lower case (retries then conflict instead of duplicating)', format: 'uuid' })
  @IsOptional() @IsIdOf(practices)
  practiceId?: string;
}

export class UpdatePracticeRequest {
  @ApiProperty({ example: 'Harbour Dental & Ortho' })
  @IsString() @Length(1, 200)
  name!: string;
}

export class AddMemberRequest {
  @ApiProperty({ example: 'user-42' })
  @IsString() @Length(1, 255) @Matches(NOT_A_DOT_SEGMENT, { message: 'userId cannot be . or ..: no URL can address that member' })
  userId!: string;

  @ApiProperty({ enum: ROLES, example: 'staff' })
  @IsIn(ROLES)
  role!: Role;
}

export class ChangeMemberRoleRequest {
  @ApiProperty({ enum: ROLES, example: 'admin' })
  @IsIn(ROLES)
  role!: Role;
}
