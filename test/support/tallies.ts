import { IsInt } from 'class-validator';
import type { RowChangeProjectionDefinition } from '../../src/event-sourcing/projections/row-change.js';
import type { EventTypeDefinition } from '../../src/event-sourcing/store/event-registry.js';

/**
 * A row-change projection for tests: a tally per stream whose events put, set and remove
 * its row (the remove path, which reservations never take). Its table refuses a negative
 * total, which makes a row write that fails.
 */
class TallyPayload {
  @IsInt() by!: number;
}

export interface TallyRow extends Record<string, unknown> {
  tally_id: string;
  total: number;
  last_version: number;
}

export const TALLIES_TABLE = `CREATE TABLE tallies (tally_id text PRIMARY KEY, total integer NOT NULL CHECK (total >= 0), last_version integer NOT NULL)`;

export const tallies = {
  name: 'tallies',
  handles: ['tally.started', 'tally.moved', 'tally.dropped'],
  table: 'tallies',
  keyColumns: ['tally_id'],
  keyOf: (event) => [event.aggregateId],
  changeOf: (event) => {
    const { by } = event.data as { by: number };
    if (event.type === 'tally.started') return { put: { tally_id: event.aggregateId, total: by, last_version: event.version } };
    if (event.type === 'tally.moved') return { set: { total: by, last_version: event.version } };
    return event.type === 'tally.dropped' ? { remove: true } : null;
  },
} satisfies RowChangeProjectionDefinition<TallyRow>;

export const tallyEventTypes: readonly EventTypeDefinition[] = tallies.handles.map((type) => ({ type, payload: TallyPayload }));
