import type { Pool } from 'pg';
import { sideWriteAfterAppend, type AppendSideWrite } from '../store/append-side-write.js';
import type { NewEvent, StreamId } from '../store/event-envelope.js';
import { inTransaction } from '../store/in-transaction.js';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import type { SnapshotSettings } from './aggregate.js';
import { snapshotDue, type AggregateStorage, type CommittedEvents } from './aggregate-storage.js';
import type { InlineProjections } from './inline-projections.js';
import type { SnapshotStore } from './snapshot-store.js';

/** Aggregates in PostgreSQL: a command's events, inline read models and snapshot commit in one statement where they can. */
export class PostgresAggregateStorage implements AggregateStorage {
  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly snapshots: SnapshotStore,
    private readonly inlineProjections?: InlineProjections,
  ) {}

  async load<State>(stream: StreamId, snapshots: SnapshotSettings | undefined, options: { toVersion?: number; until?: Date }) {
    const temporal = options.toVersion !== undefined || options.until !== undefined;
    return snapshots && !temporal
      ? this.snapshots.loadWithNewerEvents<State>(stream, snapshots.schemaVersion)
      : { snapshot: null, events: await this.store.readStream(stream, { toVersion: options.toVersion, until: options.until }) };
  }

  findEvent(eventId: string) {
    return this.store.findEvent(eventId);
  }

  streamVersion(stream: StreamId) {
    return this.store.streamVersion(stream);
  }

  async commit<State>(
    stream: StreamId,
    events: readonly NewEvent[],
    loadedVersion: number,
    state: State,
    snapshots: SnapshotSettings | undefined,
    recordedWith?: AppendSideWrite,
  ): Promise<CommittedEvents> {
    const projections = this.inlineProjections?.handling(events.map((e) => e.type)) ?? [];
    const newVersion = loadedVersion + events.length;
    const snapshot = snapshotDue(snapshots, loadedVersion, newVersion) ? snapshots : undefined;
    if (projections.every((projection) => projection.writesFor)) {
      // Everything that commits with the events is one statement: one round trip, no BEGIN or COMMIT.
      return this.store.appendWithWrites(stream, events, loadedVersion, (pending) => [
        ...projections.flatMap((projection) => projection.writesFor!(pending.filter((e) => projection.handles.includes(e.type)))),
        ...(snapshot ? [this.snapshots.saveWrite(stream, snapshot.schemaVersion, { version: newVersion, state })] : []),
        ...(recordedWith ? [recordedWith] : []),
      ]);
    }
    return inTransaction(this.pool, async (client) => {
      const result = await this.store.appendWithin(client, stream, events, { expectedVersion: loadedVersion });
      if (result.duplicate) return result;
      for (const projection of projections) {
        await projection.project(client, result.events.filter((e) => projection.handles.includes(e.type)));
      }
      if (snapshot) await this.snapshots.save(client, stream, snapshot.schemaVersion, { version: newVersion, state });
      if (recordedWith) await client.query(sideWriteAfterAppend(recordedWith));
      return result;
    });
  }
}
