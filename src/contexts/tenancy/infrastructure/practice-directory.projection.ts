import type { PendingEvent, Row, RowChange, RowChangeProjectionDefinition } from '../../../event-sourcing/index.js';
import { PRACTICE_EVENT_TYPES, type PracticeEvent } from '../domain/practice.events.js';
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

const practiceEventOf = (pending: PendingEvent) => pending as unknown as PracticeEvent & PendingEvent;

/** Every event moves the practice's version, so its ETag follows membership changes too. */
export const practiceRowChange = (pending: PendingEvent): RowChange<PracticeRow> | null => {
  const event = practiceEventOf(pending);
  const touched = { version: pending.version, updated_at: pending.occurredAt };
  if (event.type === 'practice.created') {
    return { put: { practice_id: pending.aggregateId, name: event.data.name, version: pending.version, created_at: pending.occurredAt, updated_at: pending.occurredAt } };
  }
  if (event.type === 'practice.updated') return { set: { ...touched, name: event.data.name } };
  return { set: touched };
};

export const memberRowChange = (pending: PendingEvent): RowChange<PracticeMemberRow> | null => {
  const event = practiceEventOf(pending);
  switch (event.type) {
    case 'membership.created':
      return { put: { practice_id: pending.aggregateId, user_id: event.data.userId, role: event.data.role, joined_at: pending.occurredAt } };
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
export const practiceDirectoryChanges: RowChangeProjectionDefinition<PracticeRow> = {
  name: 'practice-directory',
  handles: PRACTICE_EVENT_TYPES,
  table: 'practices',
  keyColumns: ['practice_id'],
  keyOf: (event) => [event.aggregateId],
  changeOf: practiceRowChange,
};

export const practiceMembersChanges: RowChangeProjectionDefinition<PracticeMemberRow> = {
  name: 'practice-members',
  handles: ['membership.created', 'membership.role_changed'],
  table: 'practice_members',
  keyColumns: ['practice_id', 'user_id'],
  keyOf: (event) => [event.aggregateId, (practiceEventOf(event).data as { userId: string }).userId],
  changeOf: memberRowChange,
};
