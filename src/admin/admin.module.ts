import { Module } from '@nestjs/common';
import { ProjectionsAdminController } from './projections-admin.controller.js';
import { SagasAdminController } from './sagas-admin.controller.js';
import { OperatorGuard } from './operator.guard.js';

@Module({ controllers: [ProjectionsAdminController, SagasAdminController], providers: [OperatorGuard] })
export class AdminModule {}
