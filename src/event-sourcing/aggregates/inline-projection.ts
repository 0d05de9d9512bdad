import type { PoolClient } from 'pg';
import type { AppendSideWrite, PendingEvent } from '../store/append-side-write.js';
import type { RecordedEvent } from '../store/event-envelope.js';

/**
 * A read model written in the append's own transaction: it and the events commit together
 * or not at all, so a 2xx means the read model already shows the change.
 */
export interface InlineProjection {
  readonly name: string;
  /** The event types it reacts to; others never reach `project` or `writesFor`. */
  readonly handles: readonly string[];
  project(client: PoolClient, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Its writes as part of the append's own statement, from the events as they will be stored:
   * events and read model in one round trip, with no transaction to open and commit. Only a
   * projection that needs no read of its rows can offer this; the others run `project` in a
   * transaction around the append.
   */
  writesFor?(events: readonly PendingEvent[]): readonly AppendSideWrite[];
}
