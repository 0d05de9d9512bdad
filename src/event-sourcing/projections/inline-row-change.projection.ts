import type { PoolClient } from 'pg';
import type { InlineProjection } from '../aggregates/inline-projection.js';
import type { AppendSideWrite, PendingEvent } from '../store/append-side-write.js';
import type { RecordedEvent } from '../store/event-envelope.js';
import { foldBatch, type FoldProjectionDefinition } from './fold-projection.js';
import { foldOfChanges, type AnyRowChangeProjection } from './row-change.js';
import { rowChangeWrites } from './row-change-writes.js';
import { checkIdentifiers, type Row } from './row-sql.js';

/**
 * A row-change projection kept inline: written by the append's own statement
 * (`writesFor`), or folded in the transaction when the repository opens one.
 */
export class InlineRowChangeProjection<R extends Row> implements InlineProjection {
  readonly name: string;
  readonly handles: readonly string[];
  private readonly fold: FoldProjectionDefinition<R>;

  /** Also what an in-memory store applies, row change by row change. */
  constructor(readonly definition: AnyRowChangeProjection<R>) {
    checkIdentifiers(`Projection ${definition.name}`, [definition.table, ...definition.keyColumns]);
    this.name = definition.name;
    this.handles = definition.handles;
    this.fold = foldOfChanges(definition);
  }

  project(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    return foldBatch(this.fold, client, events);
  }

  writesFor(events: readonly PendingEvent[]): readonly AppendSideWrite[] {
    return rowChangeWrites(this.definition, events);
  }
}
