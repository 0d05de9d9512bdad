import { Module } from '@nestjs/common';
import { InboxRunner } from '../../event-sourcing/index.js';
import { guestConfirmationConsumer } from './application/guest-confirmation.consumer.js';
import { MAILER, type Mailer } from './application/mailer.port.js';
import { RecordingMailer } from './infrastructure/recording-mailer.js';

/** Guest notifications, fed by the relayed events (imported only where RabbitMQ is configured). */
@Module({
  providers: [
    { provide: MAILER, useValue: new RecordingMailer() },
    {
      provide: Symbol('guest confirmation consumer'),
      inject: [InboxRunner, MAILER],
      useFactory: (inbox: InboxRunner, mailer: Mailer) => inbox.register(guestConfirmationConsumer(mailer)),
    },
  ],
  exports: [MAILER],
})
export class NotificationsModule {}
