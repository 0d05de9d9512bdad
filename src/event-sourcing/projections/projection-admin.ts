import { DeadLetterNotFound, PositionNotFound, ProjectionNotFound, RebuildInProgress } from './projection-admin.errors.js';
import type { Pool, PoolClient } from 'pg';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import type { RecordedEvent } from '../store/event-envelope.js';
import { inTransaction } from '../store/in-transaction.js';
import { LOG_START, type LogCursor } from '../store/log-cursor.js';
import { withClient } from '../store/with-client.js';
import { identityTables, type AsyncProjection, type TableNames } from './async-projection.js';
import type { AsyncProjections } from './async-projections.js';
import { CheckpointStore } from '../subscriptions/checkpoint-store.js';
import { DeadLetters, type DeadLetter } from '../subscriptions/dead-letters.js';
import { leaseKey } from '../subscriptions/lease-key.js';
import { SubscriptionControls } from '../subscriptions/subscription-controls.js';
import { projectionReport, type ProjectionReport } from './projection-status.js';

export interface RebuildProgress {
  readonly phase: 'building' | 'catching-up' | 'swapped';
  readonly eventsApplied: number;
  readonly position: number;
}

/** A dead letter as the admin API shows it: there, the subscription is the projection. */
export type ProjectionDeadLetter = Omit<DeadLetter, 'subscription'> & { readonly projection: string };

const asProjectionLetter = ({ id, subscription, ...letter }: DeadLetter): ProjectionDeadLetter => ({ id, projection: subscription, ...letter });

const PAGE = 1000;

/** What operators do to projections: look, pause, resume, replay, rebuild, retry dead letters. */
export class ProjectionAdmin {
  private readonly checkpoints: CheckpointStore;
  private readonly controls: SubscriptionControls;
  private readonly deadLetters: DeadLetters;

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly projections: AsyncProjections,
  ) {
    this.checkpoints = new CheckpointStore(pool);
    this.controls = new SubscriptionControls(pool);
    this.deadLetters = new DeadLetters(pool);
  }

  async list(): Promise<ProjectionReport[]> {
    const all = this.projections.all();
    for (const projection of all) await this.checkpoints.ensure(projection.name, projection.partitions);
    return Promise.all(all.map((projection) => projectionReport(this.pool, projection)));
  }

  async report(name: string): Promise<ProjectionReport> {
    const projection = this.require(name);
    await this.checkpoints.ensure(projection.name, projection.partitions);
    return projectionReport(this.pool, projection);
  }

  async pause(name: string): Promise<ProjectionReport> {
    await this.controls.setPaused(this.require(name).name, true);
    return this.report(name);
  }

  /** Lifts the kill switch, and restarts a projection stopped by a dead letter (it retries that event first). */
  async resume(name: string): Promise<ProjectionReport> {
    await this.controls.setPaused(this.require(name).name, false);
    const control = await this.controls.get(name);
    if (control.status === 'stopped') await this.controls.setStatus(name, 'running');
    return this.report(name);
  }

  /**
   * Re-applies events from `fromPosition` on (in commit order) over the current read model.
   * Map projections are unaffected by repeats; a fold that is not idempotent wants a rebuild.
   */
  async replay(name: string, fromPosition: number): Promise<ProjectionReport> {
    const projection = this.require(name);
    await this.checkpoints.ensure(projection.name, projection.partitions);
    let cursor: LogCursor = LOG_START;
    if (fromPosition > 1) {
      const { rows } = await this.pool.query<{ transaction_id: string }>(
        `SELECT transaction_id::text FROM events WHERE position = $1`,
        [fromPosition],
      );
      if (!rows[0]) throw new PositionNotFound(fromPosition);
      cursor = { transactionId: rows[0].transaction_id, position: fromPosition - 1 };
    }
    await this.checkpoints.resetAll(this.pool, projection.name, cursor);
    return this.report(name);
  }

  /**
   * Builds the read model again from event 0 into shadow tables while the old ones keep
   * serving (and being updated); then holds the workers, catches up to the head, and swaps
   * the tables and the checkpoints in one transaction. Readers see the old model until then.
   */
  async rebuild(name: string, onProgress: (progress: RebuildProgress) => void = () => undefined): Promise<ProjectionReport> {
    const projection = this.require(name);
    // One rebuild per projection at a time, across processes: a session lock on slot -1.
    const rebuildHoldingTheLock = async (lock: PoolClient) => {
      const locked = `SELECT pg_try_advisory_lock($1::int, -1) AS ok`;
      const { rows } = await lock.query<{ ok: boolean }>(locked, [leaseKey(projection.name)]);
      if (!rows[0].ok) throw new RebuildInProgress(name);
      return this.rebuildUnlocked(projection, onProgress);
    };
    return withClient(this.pool, rebuildHoldingTheLock, true);
  }

  private async rebuildUnlocked(projection: AsyncProjection, onProgress: (progress: RebuildProgress) => void): Promise<ProjectionReport> {
    const name = projection.name;
    await this.checkpoints.ensure(projection.name, projection.partitions);
    const shadow: TableNames = Object.fromEntries(projection.tables.map((table) => [table, `${table}__rebuild`]));
    for (const table of projection.tables) {
      await this.pool.query(`DROP TABLE IF EXISTS ${shadow[table]}`);
      await this.pool.query(`CREATE TABLE ${shadow[table]} (LIKE ${table} INCLUDING ALL)`);
    }
    const state = { cursor: LOG_START, applied: 0 };
    await this.catchUp(projection, shadow, state, 'building', onProgress);
    await this.controls.setStatus(projection.name, 'rebuilding');
    try {
      await this.catchUp(projection, shadow, state, 'catching-up', onProgress);
      await inTransaction(this.pool, async (client) => {
        // Waits for a worker batch still in flight, so its checkpoint move cannot land after ours.
        await client.query(`SELECT 1 FROM projection_checkpoints WHERE projection = $1 FOR UPDATE`, [projection.name]);
        for (const table of projection.tables) {
          await client.query(`ALTER TABLE ${table} RENAME TO ${table}__retired`);
          await client.query(`ALTER TABLE ${shadow[table]} RENAME TO ${table}`);
          await client.query(`DROP TABLE ${table}__retired`);
        }
        await this.checkpoints.resetAll(client, projection.name, state.cursor);
      });
      onProgress({ phase: 'swapped', eventsApplied: state.applied, position: state.cursor.position });
    } finally {
      await this.controls.setStatus(projection.name, 'running');
    }
    return this.report(name);
  }

  async listDeadLetters(projection?: string): Promise<ProjectionDeadLetter[]> {
    return (await this.deadLetters.list(projection)).map(asProjectionLetter);
  }

  async retryDeadLetter(id: number): Promise<ProjectionDeadLetter> {
    const letter = await this.deadLetters.find(id);
    if (!letter) throw new DeadLetterNotFound(id);
    const projection = this.require(letter.subscription);
    const control = await this.controls.get(projection.name);
    if (control.status === 'stopped') {
      // The projection stopped at this event: running again retries it first, in order.
      await this.controls.setStatus(projection.name, 'running');
    } else if (projection.errorPolicy === 'skip') {
      // Only a skipped event is behind the checkpoint for good. A 'stop' projection running
      // again (resumed, or rebuilt) has applied this event in order already, or will.
      const event = await this.eventAsHandledBy(projection, letter.eventId);
      if (event) await inTransaction(this.pool, (client) => projection.apply(client, [event], identityTables(projection)));
    }
    await this.deadLetters.markRetried(id);
    return asProjectionLetter((await this.deadLetters.find(id)) ?? letter);
  }

  /** The event as the projection's workers hand it over: its personal fields as the projection asks. */
  private async eventAsHandledBy(projection: AsyncProjection, eventId: string): Promise<RecordedEvent | null> {
    const event = await this.store.findEvent(eventId);
    if (!event || projection.personalFields !== 'redacted') return event;
    // Read again from the log, from just before its own cursor: (transaction, position) orders the log, so this is the event.
    const after = { transactionId: event.transactionId, position: event.position - 1 };
    const { events } = await this.store.readAll({ after, limit: 1, personalFields: projection.personalFields });
    return events[0] ?? null;
  }

  private async catchUp(
    projection: AsyncProjection,
    tables: TableNames,
    state: { cursor: LogCursor; applied: number },
    phase: RebuildProgress['phase'],
    onProgress: (progress: RebuildProgress) => void,
  ): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: state.cursor, limit: PAGE, personalFields: projection.personalFields });
      if (page.events.length === 0) return;
      const handled = page.events.filter((e) => projection.handles.includes(e.type));
      if (handled.length > 0) await inTransaction(this.pool, (client) => projection.apply(client, handled, tables));
      state.cursor = page.cursor;
      state.applied += handled.length;
      onProgress({ phase, eventsApplied: state.applied, position: state.cursor.position });
      // A short page reached the head (or the fence). Waiting for an empty one never ends
      // while commands keep coming; the workers go on from this cursor after the swap.
      if (page.events.length < PAGE) return;
    }
  }

  private require(name: string): AsyncProjection {
    const projection = this.projections.get(name);
    if (!projection) throw new ProjectionNotFound(name);
    return projection;
  }
}


