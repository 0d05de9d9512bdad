import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';

/**
 * A read model written in the append's own transaction: it and the events commit together
 * or not at all, so a 2xx means the read model already shows the change.
 */
export interface InlineProjection {
  readonly name: string;
  /** The event types it reacts to; others never reach `project`. */
  readonly handles: readonly string[];
  project(client: PoolClient, events: readonly RecordedEvent[]): Promise<void>;
}
