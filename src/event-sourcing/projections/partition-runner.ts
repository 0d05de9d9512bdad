import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';
import type { EventStore } from '../store/event-store.js';
import { inTransaction } from '../store/in-transaction.js';
import type { LogCursor } from '../store/log-cursor.js';
import { identityTables, type AsyncProjection } from './async-projection.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { DeadLetters } from './dead-letters.js';
import { partitionOf } from './partition.js';
import type { ProjectionControls } from './projection-controls.js';

/** What one step of a partition did. */
export type StepOutcome = 'idle' | 'progressed' | 'paused' | 'stopped' | 'lost';

export interface PartitionRunnerDeps {
  readonly pool: Pool;
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly controls: ProjectionControls;
  readonly deadLetters: DeadLetters;
  readonly workerId: string;
  readonly batchSize: number;
  readonly log: (message: string) => void;
}

class LostCheckpoint extends Error {}

/**
 * Applies one partition of one projection: reads the global log from the partition's
 * checkpoint, keeps its own streams' events, and applies them and moves the checkpoint in
 * one transaction. A failing batch is retried event by event so the poison event is found,
 * retried with backoff, then dead-lettered and stopped at or skipped per the policy.
 */
export class PartitionRunner {
  private readonly tables;

  constructor(
    private readonly projection: AsyncProjection,
    readonly partition: number,
    private readonly deps: PartitionRunnerDeps,
  ) {
    this.tables = identityTables(projection);
  }

  async step(): Promise<StepOutcome> {
    const { projection, partition, deps } = this;
    const control = await deps.controls.get(projection.name);
    if (control.paused) return 'paused';
    if (control.status !== 'running') return 'stopped';
    const { cursor } = await deps.checkpoints.load(projection.name, partition);
    // Read before the write transaction starts: a transaction holding an id would fence itself out.
    const page = await deps.store.readAll({ after: cursor, limit: deps.batchSize });
    if (page.events.length === 0) return 'idle';
    const mine = page.events.filter((e) => projection.handles.includes(e.type) && partitionOf(e, projection.partitions) === partition);
    try {
      await this.commit(mine, cursor, page.cursor);
      return 'progressed';
    } catch (error) {
      if (error instanceof LostCheckpoint) return 'lost';
      return this.oneByOne(page.events, cursor);
    }
  }

  /** The slow path after a failed batch: each event alone, so only the poison one is dead-lettered. */
  private async oneByOne(events: readonly RecordedEvent[], start: LogCursor): Promise<StepOutcome> {
    const { projection, partition } = this;
    let from = start;
    for (const event of events) {
      const to = { transactionId: event.transactionId, position: event.position };
      const relevant = projection.handles.includes(event.type) && partitionOf(event, projection.partitions) === partition;
      const outcome = relevant ? await this.withRetries(event, from, to) : await this.commitOrLost([], from, to);
      if (outcome !== 'progressed') return outcome;
      from = to;
    }
    return 'progressed';
  }

  private async withRetries(event: RecordedEvent, from: LogCursor, to: LogCursor): Promise<StepOutcome> {
    const { projection, partition, deps } = this;
    let lastError: unknown;
    for (let attempt = 1; attempt <= projection.maxAttempts; attempt++) {
      try {
        await this.commit([event], from, to);
        return 'progressed';
      } catch (error) {
        if (error instanceof LostCheckpoint) return 'lost';
        lastError = error;
        if (attempt < projection.maxAttempts) await sleep(25 * 2 ** attempt);
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    deps.log(`projection ${projection.name}: event ${event.eventId} (position ${event.position}) failed ${projection.maxAttempts} times: ${message}`);
    if (projection.errorPolicy === 'skip') {
      return inTransaction(deps.pool, async (client) => {
        await deps.deadLetters.record(client, projection.name, partition, event, lastError, projection.maxAttempts);
        if (!(await deps.checkpoints.advance(client, projection.name, partition, from, to, 0, deps.workerId))) throw new LostCheckpoint();
        return 'progressed' as const;
      }).catch((error: unknown) => (error instanceof LostCheckpoint ? 'lost' : Promise.reject(error)));
    }
    await deps.deadLetters.record(deps.pool, projection.name, partition, event, lastError, projection.maxAttempts);
    await deps.controls.setStatus(projection.name, 'stopped', `event ${event.eventId} at position ${event.position}: ${message}`);
    return 'stopped';
  }

  private async commitOrLost(events: readonly RecordedEvent[], from: LogCursor, to: LogCursor): Promise<StepOutcome> {
    try {
      await this.commit(events, from, to);
      return 'progressed';
    } catch (error) {
      if (error instanceof LostCheckpoint) return 'lost';
      throw error;
    }
  }

  private commit(events: readonly RecordedEvent[], from: LogCursor, to: LogCursor): Promise<void> {
    const { projection, partition, deps } = this;
    return inTransaction(deps.pool, async (client) => {
      // The checkpoint first: its row lock makes a second runner on this slot wait here, and
      // find it moved, before it applies anything. Applied first, a fold whose rows the other
      // runner has just moved on could throw, and a good event would be dead-lettered.
      if (!(await deps.checkpoints.advance(client, projection.name, partition, from, to, events.length, deps.workerId))) {
        throw new LostCheckpoint();
      }
      if (events.length > 0) await projection.apply(client, events, this.tables);
    });
  }
}
