import { Module } from '@nestjs/common';
import { EventBrowserController } from './browser/event-browser.controller.js';
import { InboxAdminController } from './inbox-admin.controller.js';
import { ProjectionsAdminController } from './projections-admin.controller.js';
import { SagaOutboxAdminController } from './saga-outbox-admin.controller.js';
import { SagasAdminController } from './sagas-admin.controller.js';
import { StreamsAdminController } from './streams-admin.controller.js';
import { SubscriptionsAdminController } from './subscriptions-admin.controller.js';
import { StreamDirectory } from './stream-directory.js';

@Module({
  controllers: [ProjectionsAdminController, SagaOutboxAdminController, SagasAdminController, SubscriptionsAdminController, InboxAdminController, StreamsAdminController, EventBrowserController],
  providers: [StreamDirectory],
})
export class AdminModule {}
