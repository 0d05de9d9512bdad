import 'reflect-metadata';
import { IsString } from 'class-validator';
import { defineAggregate } from '../aggregates/aggregate.js';
import type { Command, Decider, DomainEvent } from '../domain/decider.js';
import type { RowChangeProjectionDefinition } from './row-change.js';

/**
 * A small aggregate with an inline row-change read model keyed by two columns (tenant, entry),
 * for the tests of a `keyOf` that cannot be the row's key. Its table, for PostgreSQL:
 * `ENTRIES_TABLE`.
 */
export type EntryEvent = DomainEvent<'entry.joined', { guestId: string }> | DomainEvent<'entry.left', { reason: string }>;
export type EntryCommand = Command<'Join', { entryId: string; guestId: string }> | Command<'Leave', { entryId: string }>;

export interface EntryRow extends Record<string, unknown> {
  tenant_id: string;
  entry_id: string;
  status: string;
  version: number;
}

export const ENTRIES_TABLE = `CREATE TABLE entries (
  tenant_id text, entry_id text, status text NOT NULL, version int NOT NULL, PRIMARY KEY (tenant_id, entry_id))`;

/** Keyed as its key columns are: tenant, then entry. */
export const entryList: RowChangeProjectionDefinition<EntryRow, EntryEvent> = {
  name: 'entry-list',
  table: 'entries',
  keyColumns: ['tenant_id', 'entry_id'],
  keyOf: (event) => [event.tenantId, event.aggregateId],
  changeOf: (event) =>
    event.type === 'entry.joined'
      ? { put: { tenant_id: event.tenantId, entry_id: event.aggregateId, status: 'waiting', version: event.version } }
      : { set: { status: 'left', version: event.version } },
};

const decider: Decider<'waiting' | 'left' | null, EntryCommand, EntryEvent> = {
  initialState: null,
  decide: (command) =>
    command.type === 'Join'
      ? [{ type: 'entry.joined', data: { guestId: command.data.guestId } }]
      : [{ type: 'entry.left', data: { reason: 'asked' } }],
  evolve: (_, event) => (event.type === 'entry.joined' ? 'waiting' : 'left'),
};

class Joined {
  @IsString() guestId!: string;
}
class Left {
  @IsString() reason!: string;
}

/** The aggregate, its one inline read model `readModel`. */
export const entriesWith = (readModel: RowChangeProjectionDefinition<EntryRow, EntryEvent>) =>
  defineAggregate({
    type: 'entry',
    decider,
    idOf: (command) => command.data.entryId,
    events: { 'entry.joined': Joined, 'entry.left': Left },
    inlineProjections: [readModel],
  });

const metadata = (tenantId: string) => ({ now: '2027-03-01T10:00:00.000Z', actor: { type: 'human' as const, id: 'u-1' }, tenantId });
export const join = (tenantId: string, entryId: string): EntryCommand => ({ type: 'Join', data: { entryId, guestId: 'g-1' }, metadata: metadata(tenantId) });
export const leave = (tenantId: string, entryId: string): EntryCommand => ({ type: 'Leave', data: { entryId }, metadata: metadata(tenantId) });

/** The slip: the key's values in another order than `keyColumns`. */
export const entryListKeyedBackwards: RowChangeProjectionDefinition<EntryRow, EntryEvent> = {
  ...entryList,
  keyOf: (event) => [event.aggregateId, event.tenantId],
};

/** The other slip: one value for two key columns. */
export const entryListKeyedShort: RowChangeProjectionDefinition<EntryRow, EntryEvent> = {
  ...entryList,
  keyOf: (event) => [event.aggregateId],
};
