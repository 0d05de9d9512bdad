import type { DomainEvent } from '../domain/decider.js';
import type { PersonalColumns } from '../personal-data/personal-columns.js';
import type { PendingEvent } from '../store/append-side-write.js';
import type { EventOf } from '../store/event-envelope.js';
import type { FoldProjectionDefinition, RowProjectionTable } from './fold-projection.js';
import { checkKeyLength, checkRowKey } from './row-key.js';
import type { Row } from './row-sql.js';

/**
 * What one event does to its row, said without reading the row:
 * - `put`: the whole row, replacing whatever was there;
 * - `set`: these columns of the row, if it exists (without a row nothing happens);
 * - `remove`: the row is gone.
 */
export type RowChange<R extends Row> = { readonly put: R } | { readonly set: Partial<R> } | { readonly remove: true };

/**
 * A read model whose every event says what it does to its row. Because no change needs the
 * row as it was, an inline projection of it is written by the append's own statement; it
 * still folds like any fold projection (`foldOfChanges`), for replays and temporal reads.
 */
export interface RowChangeProjectionDefinition<R extends Row, E extends DomainEvent = DomainEvent> extends Omit<RowProjectionTable, 'handles'> {
  /** The event types it takes; in an aggregate's `inlineProjections`, all of the aggregate's by default. */
  readonly handles?: readonly E['type'][];
  readonly keyOf: (event: EventOf<E, PendingEvent>) => readonly unknown[];
  /** The event's change to its row, or null for none. Never reads the clock or does I/O. */
  readonly changeOf: (event: EventOf<E, PendingEvent>) => RowChange<R> | null;
  /** Columns holding personal data, redacted when their subject is forgotten. */
  readonly personal?: PersonalColumns<R>;
}

/** A definition as the core holds it, whatever its events: they reach it filtered by `handles`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the core hands each definition only the events it handles
export type AnyRowChangeProjection<R extends Row = any> = RowChangeProjectionDefinition<R, any> & { readonly handles: readonly string[] };

export const applyChange = <R extends Row>(row: R | null, change: RowChange<R> | null): R | null => {
  if (change === null) return row;
  if ('put' in change) return change.put;
  if ('set' in change) return row === null ? null : { ...row, ...change.set };
  return null;
};

/**
 * Refuses the change when `keyOf` gave a key that cannot be the row's: too few or too many
 * values, or values other than the row's own key columns (those a `set` names). The SQL writes a
 * `put` where its key columns say and finds the row later by `keyOf`; an in-memory read model
 * keys by `keyOf` alone: both must refuse what only PostgreSQL would get wrong.
 */
export const checkChangeKey = <R extends Row>(definition: AnyRowChangeProjection<R>, key: readonly unknown[], change: RowChange<R> | null): void => {
  checkKeyLength(definition, key);
  if (change === null || 'remove' in change) return;
  if ('put' in change) checkRowKey(definition, key, change.put);
  else checkRowKey(definition, key, change.set, 'some');
};

/** Two changes to one row as one: what the second leaves of the first. */
export const combineChanges = <R extends Row>(first: RowChange<R>, second: RowChange<R>): RowChange<R> => {
  if (!('set' in second)) return second;
  if ('put' in first) return { put: { ...first.put, ...second.set } };
  if ('set' in first) return { set: { ...first.set, ...second.set } };
  return first;
};

/** The same read model as a fold: each event's change applied to the row before it. */
export const foldOfChanges = <R extends Row, E extends DomainEvent = DomainEvent>(
  definition: RowChangeProjectionDefinition<R, E> & { readonly handles: readonly E['type'][] },
): FoldProjectionDefinition<R, E> => ({
  name: definition.name,
  handles: definition.handles,
  table: definition.table,
  keyColumns: definition.keyColumns,
  keyOf: definition.keyOf,
  evolve: (row, event) => applyChange(row, definition.changeOf(event)),
});
