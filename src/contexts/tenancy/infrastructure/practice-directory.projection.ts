import type { EventOf, PendingEvent, Row, RowChange, RowChangeProjectionDefinition } from '../../../event-sourcing/index.js';
import type { PracticeEvent } from '../domain/practice.events.js';
import type { Role } from '../domain/role.js';

/** A row of `practices`: the practice as its screens and ETags show it. */
export interface PracticeRow extends Row {
  practice_id: string;
  name: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

/** A row of `practice_members`: who may do what, read by the access guard on every request. */
export interface PracticeMemberRow extends Row {
  practice_id: string;
  user_id: string;
  role: Role;
  joined_at: Date | string;
}

/** Every event moves the practice's version, so its ETag follows membership changes too. */
export const practiceRowChange = (event: EventOf<PracticeEvent, PendingEvent>): RowChange<PracticeRow> | null => {
  const touched = { version: event.version, updated_at: event.occurredAt };
  if (event.type === 'practice.created') {
    return { put: { practice_id: event.aggregateId, name: event.data.name, version: event.version, created_at: event.occurredAt, updated_at: event.occurredAt } };
  }
  if (event.type === 'practice.updated') return { set: { ...touched, name: event.data.name } };
  return { set: touched };
};

export const memberRowChange = (event: EventOf<PracticeEvent, PendingEvent>): RowChange<PracticeMemberRow> | null => {
  switch (event.type) {
    case 'membership.created':
      return { put: { practice_id: event.aggregateId, user_id: event.data.userId, role: event.data.role, joined_at: event.occurredAt } };
    case 'membership.role_changed':
      return { set: { role: event.data.role } };
    default:
      return null;
  }
};

/**
 * `practices` and `practice_members`, written by the append's own statement: a 2xx means
 * the access guard already sees the new member or role (read-your-writes).
 */
export const practiceDirectoryChanges: RowChangeProjectionDefinition<PracticeRow, PracticeEvent> = {
  name: 'practice-directory',
  table: 'practices',
  keyColumns: ['practice_id'],
  keyOf: (event) => [event.aggregateId],
  changeOf: practiceRowChange,
};

export const practiceMembersChanges: RowChangeProjectionDefinition<PracticeMemberRow, PracticeEvent> = {
  name: 'practice-members',
  handles: ['membership.created', 'membership.role_changed'],
  table: 'practice_members',
  keyColumns: ['practice_id', 'user_id'],
  keyOf: (event) => [event.aggregateId, 'userId' in event.data ? event.data.userId : null],
  changeOf: memberRowChange,
};
