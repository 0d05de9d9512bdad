import type { InboxConsumer, RelayedEvent } from '../../../event-sourcing/index.js';
import { confirmationMail } from '../domain/guest-mail.js';
import type { Mailer } from './mailer.port.js';

/** Mails the guest when a reservation is confirmed, once per event (the inbox drops redeliveries). */
export const guestConfirmationConsumer = (mailer: Mailer): InboxConsumer => ({
  name: 'notifications.guest-confirmations',
  // <tenant>.<aggregateType>.<type>
  bindings: ['*.reservation.reservation.confirmed'],
  handle: async (_client, event: RelayedEvent) => {
    if (event.type !== 'reservation.confirmed') return;
    const { confirmedAt } = event.data as { readonly confirmedAt: string };
    const { tenantId, aggregateId: reservationId } = event.stream;
    await mailer.send(confirmationMail({ eventId: event.eventId, tenantId, reservationId, confirmedAt }));
  },
});
