import { Module } from '@nestjs/common';
import { TenancyModule } from '../contexts/tenancy/public-api.js';
import { AppendEventHandler } from './append-event.handler.js';
import { CorrelationsController } from './correlations.controller.js';
import { EventsController } from './events.controller.js';

@Module({
  imports: [TenancyModule],
  controllers: [EventsController, CorrelationsController],
  providers: [AppendEventHandler],
})
export class EventsApiModule {}
