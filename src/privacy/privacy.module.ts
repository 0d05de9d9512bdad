import { Module } from '@nestjs/common';
import { TenancyModule } from '../contexts/tenancy/public-api.js';
import { SubjectsController } from './subjects.controller.js';

/** Data subjects' rights: forgetting (crypto-shredding) and export. */
@Module({
  imports: [TenancyModule],
  controllers: [SubjectsController],
})
export class PrivacyModule {}
