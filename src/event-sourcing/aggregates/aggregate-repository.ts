import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { Command, CommandMetadata, DomainEvent } from '../domain/decider.js';
import { DomainError } from '../domain/domain-error.js';
import type { Aggregate } from './aggregate.js';
import type { AggregateStorage, CommittedEvents } from './aggregate-storage.js';
import type { AppendSideWrite } from '../store/append-side-write.js';
import { streamKey, type NewEvent, type RecordedEvent, type StreamId } from '../store/event-envelope.js';
import { isDatabaseStalled } from '../store/database-unavailable.js';
import { ConcurrencyError, EventIdReused, InvalidEventPayload, SubjectKeyGone } from '../store/event-store.errors.js';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import { DecidedEventInvalid } from './decided-event-invalid.js';
import { deterministicEventId } from './deterministic-event-id.js';
import { EventNotDecided } from './event-not-decided.js';
import { eventsOfCommand } from './events-of-command.js';
import { outcomeOfError, outcomeOfResult, type CommandOutcome } from './command-outcome.js';
import type { InlineProjections } from './inline-projections.js';
import { RememberedStates } from './remembered-states.js';
import { PostgresAggregateStorage } from './postgres-aggregate-storage.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface LoadedAggregate<State> {
  readonly state: State;
  /** The stream version the state reflects; 0 for a stream with no events. */
  readonly version: number;
}

/**
 * What the caller requires of the stream before its command runs (HTTP If-Match): the exact
 * version it based the command on, or only that the stream exists (`If-Match: *`).
 */
export type CommandPrecondition = number | 'stream_exists';

const preconditionHolds = (precondition: CommandPrecondition, version: number): boolean =>
  precondition === 'stream_exists' ? version > 0 : version === precondition;

export interface HandleOptions {
  /**
   * When a version is given, a stream that moved on fails with `ConcurrencyError` and the
   * command is never re-run. `stream_exists` fails on a stream with no events; a command that
   * loses a race under it is re-run, as without a precondition, since no version was pinned.
   */
  readonly expectedVersion?: CommandPrecondition;
  /**
   * A write that commits with the command's events, all or nothing (a saga's outbox marking
   * its command applied): run only if they are appended now, and an error in it fails the
   * command and stores none of them. Not run when nothing is appended: a command that decides
   * nothing, or one answered from the events its id stored before. PostgreSQL only.
   */
  readonly recordedWith?: AppendSideWrite;
}

export interface HandleResult<State> extends LoadedAggregate<State> {
  readonly events: readonly RecordedEvent[];
}

export interface AggregateRepositoryOptions {
  /** Called after commit, e.g. to notify in-process listeners; never for a failed append. */
  readonly onCommitted?: (events: readonly RecordedEvent[]) => void;
  /** Called once per command with how it ended (metrics): after the retries, never on the hot path's SQL. */
  readonly onOutcome?: (outcome: CommandOutcome) => void;
  /** How often a command without an expected version is re-run after losing a race (default 10). */
  readonly maxRetries?: number;
  /**
   * How many aggregates' states to remember after writing them, so a following command on one
   * skips loading its stream (default 0: always load). See `RememberedStates`.
   */
  readonly rememberedStates?: number;
}

/** A command decided on a state not known to be current did not prove it: decide it again on a loaded one. */
const UNPROVEN = Symbol('unproven');

const UNIQUE_VIOLATION = '23505';
const EVENT_CONSTRAINTS = ['events_stream_version_key', 'events_event_id_key'];
/** Another writer committed first; a unique violation in a read model's table is a bug, not a race. */
const isRaceLost = (error: unknown): boolean => {
  if (error instanceof ConcurrencyError) return true;
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === UNIQUE_VIOLATION && EVENT_CONSTRAINTS.includes(constraint ?? '');
};

/** Chooses the id of the n-th decided event (undefined: a random one). */
type EventIdChooser = (decided: readonly DomainEvent[], index: number) => string | undefined;

/** One command on its way through the repository: what to decide, on which stream, under which precondition. */
interface CommandRun<State, C extends Command, E extends DomainEvent> {
  readonly aggregate: Aggregate<State, C, E>;
  readonly stream: StreamId;
  readonly metadata: CommandMetadata;
  readonly decide: (state: State) => readonly E[];
  readonly expectedVersion?: CommandPrecondition;
  readonly idFor?: EventIdChooser;
  readonly recordedWith?: AppendSideWrite;
}

/**
 * The command path: loads aggregates (snapshot, then newer events) or recalls the state it
 * last wrote, runs their decisions, and appends the new events with the version it decided
 * on — together with inline read models and snapshots, all or nothing. The same path runs
 * over PostgreSQL (`onPostgres`) or memory (`InMemoryAggregateStorage`, for tests).
 */
export class AggregateRepository {
  private readonly maxRetries: number;
  private readonly states: RememberedStates | null;

  /** The app's repository: PostgreSQL, with the inline projections the contexts registered. */
  static onPostgres(
    pool: Pool,
    store: PostgresEventStore,
    snapshots: SnapshotStore,
    options: AggregateRepositoryOptions & { readonly inlineProjections?: InlineProjections } = {},
  ): AggregateRepository {
    return new AggregateRepository(new PostgresAggregateStorage(pool, store, snapshots, options.inlineProjections), options);
  }

  constructor(
    private readonly storage: AggregateStorage,
    private readonly options: AggregateRepositoryOptions = {},
  ) {
    // Each lost race means another writer committed, so n writers racing on one stream all
    // land within n - 1 re-runs; 5 lost about a third of 10-writer bursts in a transaction.
    this.maxRetries = options.maxRetries ?? 10;
    this.states = (options.rememberedStates ?? 0) > 0 ? new RememberedStates(options.rememberedStates!) : null;
  }

  async load<State, C extends Command, E extends DomainEvent>(
    aggregate: Pick<Aggregate<State, C, E>, 'decider' | 'snapshots'>,
    stream: StreamId,
    options: { toVersion?: number; until?: Date } = {},
  ): Promise<LoadedAggregate<State>> {
    const { decider, snapshots } = aggregate;
    const { snapshot, events } = await this.storage.load<State>(stream, snapshots, options);
    const state = events.reduce((s, e) => decider.evolve(s, e as unknown as E), snapshot?.state ?? decider.initialState);
    return { state, version: events.at(-1)?.version ?? snapshot?.version ?? 0 };
  }

  /** Runs `command` on the stream it names (`aggregate.streamFor`). */
  execute<State, C extends Command, E extends DomainEvent>(aggregate: Aggregate<State, C, E>, command: C, options: HandleOptions = {}): Promise<HandleResult<State>> {
    return this.handle(aggregate, aggregate.streamFor(command), command, options);
  }

  async handle<State, C extends Command, E extends DomainEvent>(
    aggregate: Aggregate<State, C, E>,
    stream: StreamId,
    command: C,
    options: HandleOptions = {},
  ): Promise<HandleResult<State>> {
    const decide = (state: State) => aggregate.decider.decide(command, state);
    const { metadata } = command;
    const { expectedVersion, recordedWith } = options;
    const run = this.run({ aggregate, stream, metadata, decide, expectedVersion, recordedWith });
    return this.observed(aggregate.type, command.type, run);
  }

  /**
   * Appends what the generic events API asks for, but as the aggregate decides it: the
   * command behind the event (`aggregate.directAppends`) is decided in the current state, and
   * the decided events are stored — so a direct append reaches only states the commands
   * reach, and fields the aggregate derives (times, previous values) are its own. The
   * decided event of the requested type carries `eventId`; retrying it returns it.
   */
  async appendDirect<State, C extends Command, E extends DomainEvent>(
    aggregate: Aggregate<State, C, E>,
    stream: StreamId,
    event: E,
    metadata: CommandMetadata,
    options: HandleOptions & { eventId?: string } = {},
  ): Promise<HandleResult<State>> {
    const commandFor = aggregate.directAppends;
    if (!commandFor) throw new Error(`Aggregate type ${aggregate.type} takes no direct appends`);
    const command = commandFor(event, { aggregateId: stream.aggregateId, metadata });
    const appending = this.appendCommand(aggregate, stream, event, command, metadata, options);
    return this.observed(aggregate.type, command.type, appending);
  }

  private async appendCommand<State, C extends Command, E extends DomainEvent>(
    aggregate: Aggregate<State, C, E>,
    stream: StreamId,
    event: E,
    command: C,
    metadata: CommandMetadata,
    options: HandleOptions & { eventId?: string },
  ): Promise<HandleResult<State>> {
    const { eventId } = options;
    const alreadyStored = async (): Promise<HandleResult<State> | null> => {
      const stored = eventId ? await this.storage.findEvent(eventId) : null;
      if (!stored || streamKey(stored) !== streamKey(stream) || stored.type !== event.type) return null;
      return { ...(await this.load(aggregate, stream)), events: [stored] };
    };
    const retried = await alreadyStored();
    if (retried) return retried;
    const decide = (state: State): readonly E[] => {
      const decided = aggregate.decider.decide(command, state);
      if (!decided.some((e) => e.type === event.type)) throw new EventNotDecided(event.type, aggregate.type);
      return decided;
    };
    const idFor: EventIdChooser | undefined = eventId
      ? (decided, index) => (index === decided.findIndex((e) => e.type === event.type) ? eventId : deterministicEventId(eventId, index))
      : undefined;
    try {
      const { expectedVersion, recordedWith } = options;
      return await this.run({ aggregate, stream, metadata, decide, expectedVersion, idFor, recordedWith });
    } catch (error) {
      // A concurrent copy of this append may have won the race (then its event makes this
      // one's command fail, e.g. "already a member"): the retry is answered with that event.
      const concurrentCopy = await alreadyStored();
      if (concurrentCopy) return concurrentCopy;
      throw error;
    }
  }

  /** Reports how the command ended, once, whatever path it took; the answer is untouched. */
  private async observed<T extends { readonly events: readonly unknown[] }>(
    aggregate: string,
    command: string,
    running: Promise<T>,
  ): Promise<T> {
    const report = this.options.onOutcome;
    if (!report) return running;
    try {
      const result = await running;
      report({ aggregate, command, ...outcomeOfResult(result.events) });
      return result;
    } catch (error) {
      report({ aggregate, command, ...outcomeOfError(error) });
      throw error;
    }
  }

  private async run<State, C extends Command, E extends DomainEvent>(command: CommandRun<State, C, E>): Promise<HandleResult<State>> {
    const { stream, expectedVersion } = command;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(command);
      } catch (error) {
        const raceLost = isRaceLost(error);
        // A key gone stored nothing and is dropped: the next try seals under a new one, whatever the version asked.
        const retry = attempt < this.maxRetries && (error instanceof SubjectKeyGone || (typeof expectedVersion !== 'number' && raceLost));
        // A race lost inside a transaction surfaces as PostgreSQL's unique violation: answer it as the conflict it is.
        if (!retry && raceLost && !(error instanceof ConcurrencyError)) {
          throw new ConcurrencyError(stream, expectedVersion ?? 'any', await this.storage.streamVersion(stream));
        }
        if (!retry) throw error;
        // Jittered backoff spreads writers that collided so they do not collide again.
        await sleep(Math.random() * 5 * 2 ** attempt);
      }
    }
  }

  /**
   * One try at the command. With remembered states, it is first decided on the state this
   * process last wrote (or, for a stream it never wrote, on the initial state: a create needs
   * no load) and kept only if its append is accepted at that version, which proves the state
   * current. Anything else — a refusal, a conflict, nothing decided, a retried append — may be
   * an artefact of a stale state, so the command is decided again on the loaded stream, and
   * answers exactly as it would have without remembering. Except a lost connection: the append
   * may have committed, so its error is the answer, as it would have been.
   */
  private async attempt<State, C extends Command, E extends DomainEvent>(command: CommandRun<State, C, E>): Promise<HandleResult<State>> {
    const { aggregate, stream } = command;
    const key = streamKey(stream);
    if (this.states) {
      const remembered = this.states.recall<State>(key, aggregate) ?? { state: aggregate.decider.initialState, version: 0 };
      const result = await this.decideAndCommit(command, remembered, false).catch((error: unknown): typeof UNPROVEN => {
        // Without PostgreSQL's answer the append may have committed: decided again on the stream
        // that now holds its events, the command would be applied twice. A statement cancelled
        // for time is no stale state either: tried again, it would wait as long once more.
        if (isDatabaseStalled(error)) throw error;
        return UNPROVEN;
      });
      if (result !== UNPROVEN) return result;
      this.states.forget(key);
    }
    const loaded = await this.load(aggregate, stream);
    this.states?.remember(key, aggregate, loaded);
    const result = await this.decideAndCommit(command, loaded, true).catch(async (error: unknown) => {
      if (!(error instanceof DomainError || error instanceof ConcurrencyError || error instanceof EventIdReused)) throw error;
      return (await this.storedBefore(command)) ?? Promise.reject(error);
    });
    if (result === UNPROVEN) throw new Error('a command decided on a loaded state is always proven');
    return result.events.length === 0 ? ((await this.storedBefore(command)) ?? result) : result;
  }

  /**
   * The first answer to a command retried with its id (its answer was lost on the way: a
   * connection dropped, a saga's sender died before marking it sent) whose events are stored
   * already. Decided again on the state they made, it would be refused ("already confirmed"),
   * fail its If-Match, decide nothing, or decide other events under the ids its first events
   * took (`EventIdReused`); it is answered as the first time instead. Null for a
   * command without an id, or whose id stored nothing in the stream. A direct append with an
   * event id (`idFor`) looks for its event itself.
   */
  private async storedBefore<State, C extends Command, E extends DomainEvent>(command: CommandRun<State, C, E>): Promise<HandleResult<State> | null> {
    const { aggregate, stream, metadata, idFor } = command;
    if (metadata.commandId === undefined || idFor !== undefined) return null;
    const events = await eventsOfCommand(this.storage, metadata.commandId, stream);
    return events.length === 0 ? null : this.answerOf(aggregate, stream, events);
  }

  /** The answer a command got when it stored `events`: the state and version they made. */
  private async answerOf<State, C extends Command, E extends DomainEvent>(
    aggregate: Pick<Aggregate<State, C, E>, 'decider' | 'snapshots'>,
    stream: StreamId,
    events: readonly RecordedEvent[],
  ): Promise<HandleResult<State>> {
    return { ...(await this.load(aggregate, stream, { toVersion: events.at(-1)?.version })), events };
  }

  /** Decides on `loaded` and commits; on a state not known current, anything but an accepted append is UNPROVEN. */
  private async decideAndCommit<State, C extends Command, E extends DomainEvent>(
    command: CommandRun<State, C, E>,
    loaded: LoadedAggregate<State>,
    current: boolean,
  ): Promise<HandleResult<State> | typeof UNPROVEN> {
    const { aggregate, stream, metadata, decide, expectedVersion, idFor, recordedWith } = command;
    const { decider } = aggregate;
    if (expectedVersion !== undefined && !preconditionHolds(expectedVersion, loaded.version)) {
      if (!current) return UNPROVEN;
      throw new ConcurrencyError(stream, expectedVersion, loaded.version);
    }
    const decided = decide(loaded.state);
    if (decided.length === 0) return current ? { ...loaded, events: [] } : UNPROVEN;
    // A given command id is a retry key: the same id derives the same event ids, so a retry is
    // recognised. Any other command gets a fresh id, for tracing only (generated event ids
    // keep its append in the group commit).
    const commandId = metadata.commandId ?? randomUUID();
    const newEvents = decided.map((event, index): NewEvent => ({
      eventId: idFor?.(decided, index) ?? (metadata.commandId ? deterministicEventId(metadata.commandId, index) : undefined),
      type: event.type,
      data: event.data,
      occurredAt: new Date(metadata.now),
      metadata: {
        actor: metadata.actor,
        commandId,
        correlationId: metadata.correlationId ?? commandId,
        // The command caused them; what caused the command (a saga's trigger) is the command's own record.
        causationId: commandId,
        requestId: metadata.requestId,
      },
    }));
    const state = decided.reduce(decider.evolve, loaded.state);
    let committed: CommittedEvents;
    try {
      committed = await this.storage.commit(stream, newEvents, loaded.version, state, aggregate.snapshots, recordedWith);
    } catch (error) {
      throw error instanceof InvalidEventPayload ? new DecidedEventInvalid(aggregate.type, error) : error;
    }
    const { events: recorded, duplicate } = committed;
    if (duplicate) {
      if (!current) return UNPROVEN;
      // A retried command (same ids): nothing was committed now, so nobody is notified again, and
      // the answer is the first one's; `state` above would apply its events a second time.
      return this.answerOf(aggregate, stream, recorded);
    }
    const version = recorded.at(-1)?.version ?? loaded.version;
    // Remembered as a load would fold it: from the events as stored.
    this.states?.remember(streamKey(stream), aggregate, {
      state: recorded.reduce((s, e) => decider.evolve(s, e as unknown as E), loaded.state),
      version,
    });
    this.options.onCommitted?.(recorded);
    return { state, version, events: recorded };
  }
}
