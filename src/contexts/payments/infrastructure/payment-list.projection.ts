import type {
  EventOf,
  PendingEvent,
  Row,
  RowChange,
  RowChangeProjectionDefinition,
} from '../../../event-sourcing/index.js';
import type { PaymentEvent } from '../domain/payment.events.js';
import type { PaymentStatus } from '../domain/payment.state.js';
import { paymentEventTypes } from './payment.event-schemas.js';

/** A row of the `payments` table: what the payment route shows, read-your-writes. */
export interface PaymentRow extends Row {
  practice_id: string;
  payment_id: string;
  reservation_id: string;
  status: PaymentStatus;
  /** bigint in PostgreSQL (read back as a string), a number when just written. */
  amount: number | string;
  currency: string;
  provider_reference: string | null;
  /** Why it failed or was voided. */
  reason: string | null;
  version: number;
  requested_at: Date | string;
  updated_at: Date | string;
}

/** What each event does to its payment's row; none needs the row as it was. */
export const paymentRowChange = (event: EventOf<PaymentEvent, PendingEvent>): RowChange<PaymentRow> | null => {
  const touched = { version: event.version, updated_at: event.occurredAt.toISOString() };
  switch (event.type) {
    case 'payment.requested': {
      const { reservationId, amount, currency, requestedAt } = event.data;
      return {
        put: {
          practice_id: event.tenantId,
          payment_id: event.aggregateId,
          reservation_id: reservationId,
          status: 'requested',
          amount,
          currency,
          provider_reference: null,
          reason: null,
          version: event.version,
          requested_at: requestedAt,
          updated_at: requestedAt,
        },
      };
    }
    case 'payment.captured':
      return { set: { ...touched, status: 'captured', provider_reference: event.data.providerReference } };
    case 'payment.failed':
      return { set: { ...touched, status: 'failed', reason: event.data.reason } };
    case 'payment.voided':
      return { set: { ...touched, status: 'voided', reason: event.data.reason } };
  }
};

export const paymentListChanges = {
  name: 'payment-list',
  handles: paymentEventTypes,
  table: 'payments',
  keyColumns: ['practice_id', 'payment_id'],
  keyOf: (event) => [event.tenantId, event.aggregateId],
  changeOf: paymentRowChange,
} satisfies RowChangeProjectionDefinition<PaymentRow, PaymentEvent>;
