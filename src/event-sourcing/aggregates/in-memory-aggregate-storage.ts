import type { AppendSideWrite } from '../store/append-side-write.js';
import type { NewEvent, StreamId } from '../store/event-envelope.js';
import type { InMemoryEventStore } from '../store/in-memory-event-store.js';
import { InlineRowChangeProjection } from '../projections/inline-row-change.projection.js';
import type { AggregateStorage, CommittedEvents } from './aggregate-storage.js';
import type { InlineProjections } from './inline-projections.js';
import type { InMemoryReadModels } from './in-memory-read-models.js';

/**
 * Aggregates in memory, for tests: the command path of the app (remembered states aside)
 * over the in-memory event store, with row-change read models kept in memory. Snapshots are
 * not kept: a load folds the whole stream, which gives the same state.
 */
export class InMemoryAggregateStorage implements AggregateStorage {
  constructor(
    private readonly store: InMemoryEventStore,
    private readonly readModels: InMemoryReadModels,
    private readonly inlineProjections: InlineProjections,
  ) {}

  async load(stream: StreamId, _snapshots: unknown, options: { toVersion?: number; until?: Date }) {
    return { snapshot: null, events: await this.store.readStream(stream, options) };
  }

  findEvent(eventId: string) {
    return this.store.findEvent(eventId);
  }

  streamVersion(stream: StreamId) {
    return this.store.streamVersion(stream);
  }

  async commit(
    stream: StreamId,
    events: readonly NewEvent[],
    loadedVersion: number,
    _state?: unknown,
    _snapshots?: unknown,
    recordedWith?: AppendSideWrite,
  ): Promise<CommittedEvents> {
    // Refused, not ignored: its SQL has no table here to write, and storing the events without
    // it is what the caller asked never to happen.
    if (recordedWith) throw new Error('A write that commits with the events (recordedWith) needs PostgreSQL: memory cannot run it');
    const projections = this.inlineProjections.handling(events.map((e) => e.type)).map((projection) => {
      if (projection instanceof InlineRowChangeProjection) return projection.definition;
      throw new Error(`Inline projection ${projection.name} reads its rows in PostgreSQL: it cannot run in memory`);
    });
    const result = await this.store.append(stream, events, { expectedVersion: loadedVersion });
    if (!result.duplicate) for (const definition of projections) this.readModels.apply(definition, result.events);
    return result;
  }
}
