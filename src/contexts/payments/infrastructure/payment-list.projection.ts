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
  /** Captured after it was voided or failed: the guest was charged all the same. */
  captured_late: boolean;
  /** The provider's reference of the refund it confirmed. */
  refund_reference: string | null;
  /** Why the provider declined the refund still owed; cleared once it confirms one. */
  refund_declined_reason: string | null;
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
          captured_late: false,
          refund_reference: null,
          refund_declined_reason: null,
          version: event.version,
          requested_at: requestedAt,
          updated_at: requestedAt,
        },
      };
    }
    case 'payment.captured':
      return { set: { ...touched, status: 'captured', provider_reference: event.data.providerReference } };
    case 'payment.captured_late':
      // The reason it was voided or failed stays: it is why the money is owed back.
      return {
        set: { ...touched, status: 'refund_due', provider_reference: event.data.providerReference, captured_late: true },
      };
    case 'payment.failed':
      return { set: { ...touched, status: 'failed', reason: event.data.reason } };
    case 'payment.voided':
      // A void stored before voids carried the reference shows `voided` with the capture's reference: never refunded.
      return {
        set: { ...touched, status: event.data.providerReference ? 'refund_due' : 'voided', reason: event.data.reason },
      };
    case 'payment.refunded':
      return { set: { ...touched, status: 'refunded', refund_reference: event.data.refundReference, refund_declined_reason: null } };
    case 'payment.refund_declined':
      return { set: { ...touched, refund_declined_reason: event.data.reason } };
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
