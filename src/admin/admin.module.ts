import { Module } from '@nestjs/common';
import { ProjectionsAdminController } from './projections-admin.controller.js';
import { OperatorGuard } from './operator.guard.js';

@Module({ controllers: [ProjectionsAdminController], providers: [OperatorGuard] })
export class AdminModule {}
