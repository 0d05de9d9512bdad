import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';
import { withDefaults, type SubscriptionOptions } from '../subscriptions/subscription.js';
import type { AsyncProjection, TableNames } from './async-projection.js';
import type { DomainEvent } from '../domain/decider.js';
import { foldBatch, type FoldProjectionDefinition, type Row } from './fold-projection.js';
import { checkIdentifiers } from './row-sql.js';

/**
 * A fold projection (one row per key, ordered per stream) run asynchronously by workers. Its
 * partitions may fold into one row at once (a key across streams), so it folds with `shared` rows.
 */
export const asyncFold = <R extends Row, E extends DomainEvent = DomainEvent>(
  definition: FoldProjectionDefinition<R, E>,
  options: SubscriptionOptions = {},
): AsyncProjection<E> => {
  checkIdentifiers(`Projection ${definition.name}`, [definition.table, ...definition.keyColumns]);
  return {
    name: definition.name,
    handles: definition.handles,
    tables: [definition.table],
    ...withDefaults(options),
    apply: (client: PoolClient, events: readonly RecordedEvent[], tables: TableNames) =>
      foldBatch(definition, client, events, tables[definition.table], 'shared'),
  };
};
