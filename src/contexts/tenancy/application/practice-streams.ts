import type { StreamId } from '../../../event-sourcing/store/event-envelope.js';

/** A practice is its own tenant: its stream lives under its own id. */
export const practiceStream = (practiceId: string): StreamId => ({
  tenantId: practiceId,
  aggregateType: 'practice',
  aggregateId: practiceId,
});

export const userStream = (practiceId: string, userId: string): StreamId => ({
  tenantId: practiceId,
  aggregateType: 'user',
  aggregateId: userId,
});
