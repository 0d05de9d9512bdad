import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_PARTITIONS, type AsyncProjection, type ErrorPolicy, type TableNames } from './async-projection.js';
import { foldBatch, type FoldProjectionDefinition, type Row } from './fold-projection.js';
import { checkIdentifiers } from './row-sql.js';

export interface AsyncProjectionOptions {
  readonly partitions?: number;
  readonly errorPolicy?: ErrorPolicy;
  readonly maxAttempts?: number;
}

/** The runtime settings of a projection, defaults filled in. */
export const projectionSettings = (options: AsyncProjectionOptions) => ({
  partitions: options.partitions ?? DEFAULT_PARTITIONS,
  errorPolicy: options.errorPolicy ?? ('stop' as const),
  maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
});

/** A fold projection (one row per key, ordered per stream) run asynchronously by workers. */
export const asyncFold = <R extends Row>(
  definition: FoldProjectionDefinition<R>,
  options: AsyncProjectionOptions = {},
): AsyncProjection => {
  checkIdentifiers(`Projection ${definition.name}`, [definition.table, ...definition.keyColumns]);
  return {
    name: definition.name,
    handles: definition.handles,
    tables: [definition.table],
    ...projectionSettings(options),
    apply: (client: PoolClient, events: readonly RecordedEvent[], tables: TableNames) =>
      foldBatch(definition, client, events, tables[definition.table]),
  };
};
