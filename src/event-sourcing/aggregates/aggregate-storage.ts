import type { AppendSideWrite } from '../store/append-side-write.js';
import type { NewEvent, RecordedEvent, StreamId } from '../store/event-envelope.js';
import type { SnapshotSettings } from './aggregate.js';
import type { Snapshot } from './snapshot-store.js';

/** What a command's append did: the events as stored, and whether they were stored already (a retry). */
export interface CommittedEvents {
  readonly events: readonly RecordedEvent[];
  readonly duplicate: boolean;
}

/**
 * Where the command path keeps aggregates: their events, snapshots and inline read models.
 * PostgreSQL in the app (one statement per command, group commit); memory in tests, so a
 * context's commands and inline read models run without a database.
 */
export interface AggregateStorage {
  /** The latest usable snapshot (none when `snapshots` is absent or the read is temporal) and the events after it. */
  load<State>(
    stream: StreamId,
    snapshots: SnapshotSettings | undefined,
    options: { toVersion?: number; until?: Date },
  ): Promise<{ readonly snapshot: Snapshot<State> | null; readonly events: readonly RecordedEvent[] }>;
  /**
   * Appends `events` if the stream is still at `loadedVersion` (else `ConcurrencyError`), with
   * the inline read models' writes, a due snapshot of `state` and the caller's `recordedWith`
   * (`HandleOptions`), all or nothing. None of them is written for a retry (`duplicate`).
   */
  commit<State>(
    stream: StreamId,
    events: readonly NewEvent[],
    loadedVersion: number,
    state: State,
    snapshots: SnapshotSettings | undefined,
    recordedWith?: AppendSideWrite,
  ): Promise<CommittedEvents>;
  findEvent(eventId: string): Promise<RecordedEvent | null>;
  streamVersion(stream: StreamId): Promise<number>;
}

/** Whether appending from `loadedVersion` to `newVersion` crosses a snapshot boundary. */
export const snapshotDue = (snapshots: SnapshotSettings | undefined, loadedVersion: number, newVersion: number): snapshots is SnapshotSettings => {
  const every = snapshots?.every ?? 0;
  return every > 0 && Math.floor(newVersion / every) > Math.floor(loadedVersion / every);
};
