import type { StreamId } from '../../../event-sourcing/store/event-envelope.js';

export const reservationStream = (practiceId: string, reservationId: string): StreamId => ({
  tenantId: practiceId,
  aggregateType: 'reservation',
  aggregateId: reservationId,
});
