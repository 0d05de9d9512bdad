import { Module } from '@nestjs/common';
import { TenancyModule } from '../contexts/tenancy/public-api.js';
import { AppendEventHandler } from './append-event.handler.js';
import { EventsController } from './events.controller.js';

@Module({
  imports: [TenancyModule],
  controllers: [EventsController],
  providers: [AppendEventHandler],
})
export class EventsApiModule {}
