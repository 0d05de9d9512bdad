import { DeadLetterNotFound, PositionNotFound, ProjectionNotFound, RebuildInProgress, RebuildNotStarted, RebuildStopped } from './projection-admin.errors.js';
import type { Pool, PoolClient } from 'pg';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import type { RecordedEvent } from '../store/event-envelope.js';
import { inTransaction } from '../store/in-transaction.js';
import { LOG_START, type LogCursor } from '../store/log-cursor.js';
import { checkOutClient } from '../store/check-out-client.js';
import { identityTables, type AsyncProjection, type TableNames } from './async-projection.js';
import type { AsyncProjections } from './async-projections.js';
import { CheckpointStore } from '../subscriptions/checkpoint-store.js';
import { DeadLetters, type DeadLetter } from '../subscriptions/dead-letters.js';
import { endInterruptedRebuild, INTERRUPTED_REBUILD, takeRebuildLease } from '../subscriptions/rebuild-lease.js';
import { SubscriptionAdmin } from './subscription-admin.js';
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

/** Where a rebuild builds each of the projection's tables until its swap. */
const shadowTables = (projection: AsyncProjection): TableNames =>
  Object.fromEntries(projection.tables.map((table) => [table, `${table}__rebuild`]));

const dropTables = async (client: PoolClient, tables: readonly string[]): Promise<void> => {
  for (const table of tables) await client.query(`DROP TABLE IF EXISTS ${table}`);
};

/** What a rebuild that did not finish leaves behind, dropped. */
const dropShadowTables = (projection: AsyncProjection) => (client: PoolClient) => dropTables(client, Object.values(shadowTables(projection)));

/** What operators do to projections: look, pause, resume, replay, rebuild, retry dead letters (any subscription's). */
export class ProjectionAdmin {
  private readonly checkpoints: CheckpointStore;
  private readonly controls: SubscriptionControls;
  private readonly deadLetters: DeadLetters;
  private readonly subscriptions: SubscriptionAdmin;
  /** The rebuilds this process runs, for `stop`. */
  private readonly rebuilds = new Set<{ readonly abort: AbortController; readonly done: Promise<unknown> }>();

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly projections: AsyncProjections,
  ) {
    this.checkpoints = new CheckpointStore(pool);
    this.controls = new SubscriptionControls(pool);
    this.deadLetters = new DeadLetters(pool);
    this.subscriptions = new SubscriptionAdmin(pool);
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

  /**
   * Lifts the kill switch, and restarts a projection stopped by a dead letter (it retries that
   * event first) or left 'rebuilding' by a rebuild that is gone; one still alive goes on.
   */
  async resume(name: string): Promise<ProjectionReport> {
    const projection = this.require(name);
    await this.controls.resume(projection.name, dropShadowTables(projection));
    return this.report(name);
  }

  /**
   * Re-applies events from `fromPosition` on (in commit order) over the current read model.
   * Map projections are unaffected by repeats; a fold that is not idempotent wants a rebuild.
   *
   * A partition whose checkpoint is before the position (paused, lagging, stopped at a dead
   * letter) keeps it: what an operator asks for is "everything from N applied again", and that
   * partition applies everything from N anyway, and before that the events it never applied.
   * Moving it forward would skip those for good, with nothing to show for it; refusing would
   * have the operator resume it and wait for it to catch up first, for the same result. So a
   * replay further on does not take back one that went too far back.
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
    await this.checkpoints.moveBackAll(this.pool, projection.name, cursor);
    return this.report(name);
  }

  /**
   * Builds the read model again from event 0 into shadow tables while the old ones keep
   * serving (and being updated); then holds the workers, catches up to the head, and swaps
   * the tables and the checkpoints in one transaction. Readers see the old model until then.
   */
  async rebuild(name: string, onProgress: (progress: RebuildProgress) => void = () => undefined): Promise<ProjectionReport> {
    return (await this.startRebuild(name, onProgress)).done;
  }

  /**
   * Starts a rebuild and returns once it holds its lease (REBUILD_IN_PROGRESS when a live one
   * holds it, REBUILD_NOT_STARTED when clean-ups of an interrupted one held it too long), with the rebuild under way in `done`: an HTTP request answers then, and `stop`
   * still ends it before the pool closes.
   */
  async startRebuild(name: string, onProgress: (progress: RebuildProgress) => void = () => undefined): Promise<{ readonly done: Promise<ProjectionReport> }> {
    const projection = this.require(name);
    // The lease and the swap share one session, kept out of the pool: whatever ends the rebuild's
    // process ends both, so a free lease means no swap can still commit (rebuild-lease.ts).
    const session = await checkOutClient(this.pool);
    try {
      const lease = await takeRebuildLease(session, projection.name);
      if (lease === 'rebuilding') throw new RebuildInProgress(name);
      if (lease === 'busy') throw new RebuildNotStarted(name);
    } catch (error) {
      session.release(true);
      throw error;
    }
    const abort = new AbortController();
    const done = this.rebuildHoldingTheLease(projection, session, abort.signal, onProgress).finally(() => {
      session.release(true);
      this.rebuilds.delete(running);
    });
    const running = { abort, done };
    this.rebuilds.add(running);
    return { done };
  }

  /** Ends the rebuilds this process runs (at their next page, or after their swap) and waits for them: before the pool closes. */
  async stop(): Promise<void> {
    const running = [...this.rebuilds];
    for (const rebuild of running) rebuild.abort.abort(new RebuildStopped());
    await Promise.allSettled(running.map((rebuild) => rebuild.done));
  }

  /**
   * Cleans up after rebuilds that ended without finishing, in a process gone since (killed,
   * crashed): their status 'rebuilding' and their shadow tables. Run at start-up; workers also
   * end such a status within a second (they do not know the tables).
   */
  async endInterruptedRebuilds(): Promise<string[]> {
    const ended: string[] = [];
    for (const projection of this.projections.all()) {
      const { rows } = await this.pool.query<{ left: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM projection_controls WHERE projection = $1 AND status = 'rebuilding')
             OR EXISTS (SELECT 1 FROM unnest($2::text[]) t WHERE to_regclass(t) IS NOT NULL) AS left`,
        [projection.name, Object.values(shadowTables(projection))],
      );
      if (rows[0].left && (await this.endInterruptedRebuild(projection))) ended.push(projection.name);
    }
    return ended;
  }

  /** True when a status 'rebuilding' was left over and is 'running' again; its shadow tables go either way, unless a rebuild is alive. */
  private endInterruptedRebuild(projection: AsyncProjection): Promise<boolean> {
    return endInterruptedRebuild(this.pool, projection.name, dropShadowTables(projection));
  }

  private async rebuildHoldingTheLease(
    projection: AsyncProjection,
    session: PoolClient,
    signal: AbortSignal,
    onProgress: (progress: RebuildProgress) => void,
  ): Promise<ProjectionReport> {
    const name = projection.name;
    await this.checkpoints.ensure(projection.name, projection.partitions);
    const shadow = shadowTables(projection);
    let swapped = false;
    let rebuilding = false;
    try {
      // Holding the lease, a status 'rebuilding' is a dead rebuild's: the live model runs on while this one builds.
      if ((await this.controls.get(name)).status === 'rebuilding') await this.controls.setStatus(name, 'running', INTERRUPTED_REBUILD);
      await dropTables(session, Object.values(shadow));
      for (const table of projection.tables) await session.query(`CREATE TABLE ${shadow[table]} (LIKE ${table} INCLUDING ALL)`);
      const state = { cursor: LOG_START, applied: 0 };
      await this.catchUp(projection, shadow, state, 'building', signal, onProgress);
      // Set while this session holds the lease: one that finds it free knows this is a leftover.
      await this.controls.setStatus(projection.name, 'rebuilding');
      rebuilding = true;
      await this.catchUp(projection, shadow, state, 'catching-up', signal, onProgress);
      signal.throwIfAborted();
      // A swap waiting for its locks (behind a long read of the live tables) would hold a
      // shutdown as long: stopped, its statement is cancelled and the transaction rolls back.
      const { rows } = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const cancel = () => void this.pool.query('SELECT pg_cancel_backend($1)', [rows[0].pid]).catch(() => undefined);
      signal.addEventListener('abort', cancel, { once: true });
      await session.query('BEGIN');
      try {
        // Waits for a worker batch still in flight, so its checkpoint move cannot land after ours.
        await session.query(`SELECT 1 FROM projection_checkpoints WHERE projection = $1 FOR UPDATE`, [projection.name]);
        for (const table of projection.tables) {
          await session.query(`ALTER TABLE ${table} RENAME TO ${table}__retired`);
          await session.query(`ALTER TABLE ${shadow[table]} RENAME TO ${table}`);
          await session.query(`DROP TABLE ${table}__retired`);
        }
        await this.checkpoints.resetAll(session, projection.name, state.cursor);
        await session.query('COMMIT');
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        signal.removeEventListener('abort', cancel);
      }
      swapped = true;
      onProgress({ phase: 'swapped', eventsApplied: state.applied, position: state.cursor.position });
    } catch (error) {
      // Stopped, whatever statement it was in (a cancelled swap fails with "canceling statement"): say so.
      throw signal.aborted ? signal.reason : error;
    } finally {
      // A rebuild that failed or was stopped leaves the old model serving and nothing behind. If
      // these statements fail too (the connection lost), the lease goes with the session, and
      // workers and the next start-up end what is left (endInterruptedRebuild).
      await Promise.resolve()
        .then(() => (swapped ? undefined : dropTables(session, Object.values(shadow))))
        .then(() => (rebuilding ? this.controls.setStatus(projection.name, 'running') : undefined))
        .catch(() => undefined);
    }
    return this.report(name);
  }

  async listDeadLetters(projection?: string): Promise<ProjectionDeadLetter[]> {
    return (await this.deadLetters.list(projection)).map(asProjectionLetter);
  }

  async retryDeadLetter(id: number): Promise<ProjectionDeadLetter> {
    const letter = await this.deadLetters.find(id);
    if (!letter) throw new DeadLetterNotFound(id);
    const projection = this.projections.get(letter.subscription);
    // Not a projection (the relay, a saga, a context's subscription): retried as any subscription that stops at it.
    if (!projection) return asProjectionLetter(await this.subscriptions.retryDeadLetter(letter));
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
    signal: AbortSignal,
    onProgress: (progress: RebuildProgress) => void,
  ): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
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


