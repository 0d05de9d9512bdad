import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';
import { inTransaction } from '../store/in-transaction.js';
import { compareLogCursors, type LogCursor } from '../store/log-cursor.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { DeadLetters } from './dead-letters.js';
import { DependencyUnavailable, unavailableBackoffMs } from './dependency-unavailable.js';
import { isDatabaseStalled } from '../store/database-unavailable.js';
import type { Subscription } from './subscription.js';
import type { SubscriptionControls } from './subscription-controls.js';
import type { PartitionFilter, PartitionPage, SubscriptionLog } from './subscription-log.js';
import type { GatheredOutcome } from './step-gathering.js';

/** PostgreSQL itself, gone or too slow (a lock held elsewhere): waited for like any dependency. */
const postgresStalled = (error: unknown): DependencyUnavailable =>
  new DependencyUnavailable('PostgreSQL', error instanceof Error ? error.message : String(error));

/** How many times a step reads its page again when forgettings were heard while it was opened. */
const READS_AFTER_FORGETTING = 3;

/** What one step of a partition did. */
export type StepOutcome = 'idle' | 'progressed' | 'paused' | 'stopped' | 'lost';

export interface PartitionRunnerDeps {
  readonly pool: Pool;
  readonly reader: SubscriptionLog;
  readonly checkpoints: CheckpointStore;
  readonly controls: SubscriptionControls;
  readonly deadLetters: DeadLetters;
  readonly workerId: string;
  /**
   * About how many events one step handles: it scans this many rows of the log per partition of
   * the subscription (up to twice as many while it catches up).
   */
  readonly batchSize: number;
  readonly log: (message: string) => void;
  /** This worker's other partitions of the subscription, which share reads with this one; none by default. */
  readonly peers?: PartitionPeers;
}

/**
 * Where a worker's partitions of one subscription stand. A read serves every partition that has
 * yet to pass its start: partitions move through the log in the same steps, so each page is
 * read once for all of them; one that fell behind or stands elsewhere reads its own.
 */
export interface PartitionPeers {
  /** This partition's step starts at `cursor`. */
  standAt(partition: number, cursor: LogCursor): void;
  /** The partitions whose steps start at or before `after`, sorted. */
  before(after: LogCursor): readonly number[];
  /**
   * Commits this partition's step with the steps of the peers that are ready over the same rows
   * at the same moment, in one transaction (`StepGathering`); 'alone' or 'failed': commit it
   * alone. Absent where no step would have company.
   */
  readonly gather?: (step: GatheredStep) => Promise<GatheredOutcome>;
}

/** A partition's part of a step: its events among the rows the step covers. */
export interface StepPart {
  readonly partition: number;
  readonly events: readonly RecordedEvent[];
}

/** A step ready to commit, as it asks to go with its peers' steps over the same rows. */
export interface GatheredStep extends StepPart {
  readonly from: LogCursor;
  readonly to: LogCursor;
  /** Commits steps over the same rows (this one among them) in one transaction. */
  readonly commitAll: (steps: readonly StepPart[]) => Promise<void>;
}

/** The events of several partitions' parts of one step, in log order (each part is). */
const inLogOrder = (parts: readonly StepPart[]): readonly RecordedEvent[] => {
  if (parts.length === 1) return parts[0].events;
  const merged: RecordedEvent[] = [];
  const next = parts.map(() => 0);
  for (;;) {
    let from = -1;
    for (let p = 0; p < parts.length; p++) {
      const candidate = parts[p].events[next[p]];
      if (candidate !== undefined && (from < 0 || compareLogCursors(candidate, parts[from].events[next[from]]) < 0)) from = p;
    }
    if (from < 0) return merged;
    merged.push(parts[from].events[next[from]++]);
  }
};

const sameCursor = (a: LogCursor, b: LogCursor): boolean => a.transactionId === b.transactionId && a.position === b.position;

class LostCheckpoint extends Error {}

// No wait for the WAL flush at commit, for a subscription that allows it (`asyncCommit`): its
// writes and their checkpoint commit together, so a crash can only lose a suffix of these
// transactions, writes and checkpoint alike; the partition then resumes from the older checkpoint
// and handles those events again, still exactly once. The events are durable already (appends
// commit synchronously), and WAL is flushed in order, so no later transaction survives a lost
// one. A reader may see rows a crash takes back, until the re-run writes the same rows again.
const ASYNC_COMMIT_BEGIN = 'BEGIN; SET LOCAL synchronous_commit = off';

// A partition that is behind (its pages come back full) scans twice as many rows each step, up to
// this many times its batch: a catch-up then pays each batch's statements, checkpoint move and
// commit for more events, and a fold's rows are written once for more of their events. The
// partitions that share reads see the same pages, so they grow alike and keep sharing them. Two,
// not more: partitions gathered into one transaction already give it several batches' events,
// and a bigger page (two are in flight) lives through more of V8's young-generation collections,
// which copy it (occupancy's catch-up: Node 17.5 -> 16.4 us per event, 43k -> 60k events/s).
const CATCH_UP_GROWTH = 2;

/**
 * Runs one partition of one subscription: reads its own streams' events of the global log
 * from the partition's checkpoint, and handles them and moves the checkpoint in one
 * transaction. While that transaction runs, the next page is read (one page ahead at most).
 * A failing batch is retried event by event so the poison event is found, retried with
 * backoff, then dead-lettered and stopped at or skipped per the policy. A batch that fails
 * because a dependency is down (`DependencyUnavailable`) is no poison: the partition waits,
 * longer each time, and tries the same events again until it is back.
 */
export class PartitionRunner {
  /** Rows of the log one step scans: batchSize per partition, more while catching up. */
  private readonly batchScan: number;
  private scanLimit: number;
  /** The page after the last one read, being read while that one is applied. */
  private ahead?: { readonly after: LogCursor; readonly page: Promise<PartitionPage> };
  /**
   * Where this runner's last step moved the checkpoint: the next step starts there without
   * reading it back (the compare-and-set of its commit still checks it). Used once, so a step
   * that finds nothing new reads the stored checkpoint again and sees a replay's reset.
   */
  private moved?: LogCursor;
  /** Consecutive steps that found a dependency down, and when the next may try again. */
  private unavailable = { failures: 0, until: 0 };

  constructor(
    private readonly subscription: Subscription,
    readonly partition: number,
    private readonly deps: PartitionRunnerDeps,
  ) {
    this.batchScan = deps.batchSize * subscription.partitions;
    this.scanLimit = this.batchScan;
  }

  async step(): Promise<StepOutcome> {
    const { subscription, partition, deps } = this;
    const control = await deps.controls.shared(subscription.name);
    if (control.paused) return 'paused';
    if (control.status === 'rebuilding' && (await deps.controls.endInterruptedRebuild(subscription.name))) {
      // Its rebuild's process ended without setting it back (killed, crashed): nobody else would.
      deps.log(`${subscription.name}: its rebuild was interrupted before it finished; running again from its checkpoints`);
    }
    if (control.status !== 'running') return 'stopped';
    if (Date.now() < this.unavailable.until) return 'idle';
    const { moved } = this;
    this.moved = undefined;
    const cursor = moved ?? (await deps.checkpoints.load(subscription.name, partition)).cursor;
    deps.peers?.standAt(partition, cursor);
    // Read outside the write transaction: a transaction holding an id would fence itself out.
    let page = await this.read(cursor);
    // Opened before a forgetting (read ahead while the last step was handled, say): its fields must
    // not go out as they were. A few times at most: forgettings coming faster than a page is read
    // (an erasure job) must not stall the subscription, and a page read again is milliseconds old.
    for (let reads = 1; page.outdated?.() && reads <= READS_AFTER_FORGETTING; reads++) page = await this.readPage(cursor);
    if (sameCursor(page.cursor, cursor)) return 'idle';
    this.scanLimit = page.full ? Math.min(this.scanLimit * 2, this.batchScan * CATCH_UP_GROWTH) : this.batchScan;
    if (page.full) this.readAhead(page.cursor);
    try {
      await this.commitStep(page.events, cursor, page.cursor);
      this.moved = page.cursor;
      return 'progressed';
    } catch (error) {
      // Moved by someone else (a replay, another worker) since this runner moved it: nothing
      // was written; the next step starts from the stored checkpoint.
      if (error instanceof LostCheckpoint) return moved ? 'progressed' : 'lost';
      if (error instanceof DependencyUnavailable) return this.waitForDependency(error);
      if (isDatabaseStalled(error)) return this.waitForDependency(postgresStalled(error));
      return this.oneByOne(page, cursor);
    }
  }

  /** The page after `cursor`: the one read ahead when it starts there (the checkpoint moved as expected). */
  private read(cursor: LogCursor): Promise<PartitionPage> {
    const { ahead } = this;
    this.ahead = undefined;
    if (ahead && sameCursor(ahead.after, cursor)) return ahead.page;
    return this.readPage(cursor);
  }

  private readAhead(after: LogCursor): void {
    const page = this.readPage(after);
    // Awaited by the next step if it starts at `after`, else dropped: its failure must not go unhandled.
    page.catch(() => undefined);
    this.ahead = { after, page };
  }

  private readPage(after: LogCursor): Promise<PartitionPage> {
    const { subscription, partition, deps } = this;
    const peers = deps.peers?.before(after) ?? [];
    const served = peers.includes(partition) ? peers : [...peers, partition].sort((a, b) => a - b);
    const filter: PartitionFilter = {
      types: subscription.handles,
      partitions: subscription.partitions,
      served,
      personalFields: subscription.personalFields ?? 'opened',
    };
    return deps.reader.readPartition(filter, partition, after, this.scanLimit);
  }

  /** The slow path after a failed batch: each event alone, so only the poison one is dead-lettered. */
  private async oneByOne(page: PartitionPage, start: LogCursor): Promise<StepOutcome> {
    let from = start;
    for (const event of page.events) {
      const to = { transactionId: event.transactionId, position: event.position };
      const outcome = await this.withRetries(event, from, to);
      if (outcome !== 'progressed') return outcome;
      from = to;
    }
    // Past the other partitions' rows after the last event of this one.
    return sameCursor(from, page.cursor) ? 'progressed' : this.commitOrLost([], from, page.cursor);
  }

  private async withRetries(event: RecordedEvent, from: LogCursor, to: LogCursor): Promise<StepOutcome> {
    const { subscription, partition, deps } = this;
    let lastError: unknown;
    for (let attempt = 1; attempt <= subscription.maxAttempts; attempt++) {
      try {
        await this.commit([event], from, to);
        return 'progressed';
      } catch (error) {
        if (error instanceof LostCheckpoint) return 'lost';
        if (error instanceof DependencyUnavailable) return this.waitForDependency(error);
        if (isDatabaseStalled(error)) return this.waitForDependency(postgresStalled(error));
        lastError = error;
        if (attempt < subscription.maxAttempts) await sleep(25 * 2 ** attempt);
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    deps.log(`subscription ${subscription.name}: event ${event.eventId} (position ${event.position}) failed ${subscription.maxAttempts} times: ${message}`);
    if (subscription.errorPolicy === 'skip') {
      return inTransaction(deps.pool, async (client) => {
        await deps.deadLetters.record(client, subscription.name, partition, event, lastError, subscription.maxAttempts);
        if (!(await deps.checkpoints.advance(client, subscription.name, [{ partition, applied: 0 }], from, to, deps.workerId))) {
          throw new LostCheckpoint();
        }
        return 'progressed' as const;
      }).catch((error: unknown) => (error instanceof LostCheckpoint ? 'lost' : Promise.reject(error)));
    }
    await deps.deadLetters.record(deps.pool, subscription.name, partition, event, lastError, subscription.maxAttempts);
    await deps.controls.setStatus(subscription.name, 'stopped', `event ${event.eventId} at position ${event.position}: ${message}`);
    return 'stopped';
  }

  /** Backs off without counting an attempt: the same events are tried again once the wait is over. */
  private waitForDependency(error: DependencyUnavailable): StepOutcome {
    const failures = this.unavailable.failures + 1;
    const delay = unavailableBackoffMs(failures);
    this.unavailable = { failures, until: Date.now() + delay };
    // Once when it goes down, then now and then: an outage must not flood the log.
    if (failures === 1 || failures % 20 === 0) {
      this.deps.log(`subscription ${this.subscription.name}#${this.partition}: ${error.message}; try ${failures}, next in ${delay} ms`);
    }
    return 'idle';
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

  private dependencyBack(): void {
    if (this.unavailable.failures === 0) return;
    this.deps.log(`subscription ${this.subscription.name}#${this.partition}: handled again after ${this.unavailable.failures} tries`);
    this.unavailable = { failures: 0, until: 0 };
  }

  /**
   * A step's commit: with the steps of some of this worker's other partitions that are ready over
   * the same rows now (a shared page), in one transaction, so a catch-up pays one BEGIN,
   * checkpoint statement, apply and COMMIT per group instead of one per partition; else by itself.
   */
  private async commitStep(events: readonly RecordedEvent[], from: LogCursor, to: LogCursor): Promise<void> {
    const gather = this.deps.peers?.gather;
    if (gather) {
      const step: GatheredStep = { partition: this.partition, events, from, to, commitAll: (steps) => this.commitParts(steps, from, to) };
      if ((await gather(step)) === 'together') return this.dependencyBack();
    }
    await this.commit(events, from, to);
  }

  private async commit(events: readonly RecordedEvent[], from: LogCursor, to: LogCursor): Promise<void> {
    await this.commitParts([{ partition: this.partition, events }], from, to);
    this.dependencyBack();
  }

  /** Handles the parts' events (in log order: each stream's in order) and moves their partitions' checkpoints, in one transaction. */
  private async commitParts(parts: readonly StepPart[], from: LogCursor, to: LogCursor): Promise<void> {
    const { subscription, deps } = this;
    const events = inLogOrder(parts);
    const moved = parts.map(({ partition, events: handled }) => ({ partition, applied: handled.length }));
    await inTransaction(
      deps.pool,
      async (client) => {
        // The checkpoints first: their row locks make a second runner on a slot wait here, and
        // find it moved, before it handles anything. Handled first, a fold reading rows the other
        // runner has just moved on could throw, and a good event would be dead-lettered.
        if (!(await deps.checkpoints.advance(client, subscription.name, moved, from, to, deps.workerId))) throw new LostCheckpoint();
        if (events.length > 0) await subscription.handle(client, events);
      },
      subscription.asyncCommit ? ASYNC_COMMIT_BEGIN : 'BEGIN',
    );
    if (events.length > 0) subscription.committed?.(events);
  }
}
