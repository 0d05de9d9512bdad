import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { ROLES, type Role } from '../domain/role.js';

export class CreatePracticeRequest {
  @ApiProperty({ example: 'Harbour Dental' })
  @IsString() @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ description: 'Choose the id yourself (retries then conflict instead of duplicating)', format: 'uuid' })
  @IsOptional() @IsUUID()
  practiceId?: string;
}

export class UpdatePracticeRequest {
  @ApiProperty({ example: 'Harbour Dental & Ortho' })
  @IsString() @Length(1, 200)
  name!: string;
}

export class AddMemberRequest {
  @ApiProperty({ example: 'user-42' })
  @IsString() @Length(1, 255)
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
