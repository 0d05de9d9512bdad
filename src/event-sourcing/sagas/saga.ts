import type { Aggregate, AnyAggregate } from '../aggregates/aggregate.js';
import type { Command, CommandBody, DomainEvent } from '../domain/decider.js';
import type { EventOf } from '../store/event-envelope.js';

/** A deadline of a saga instance that fell due: delivered to the saga like an event. */
export interface DeadlineReached {
  readonly type: 'deadline.reached';
  readonly data: { readonly name: string };
  /** When it was due. */
  readonly occurredAt: Date;
}

/**
 * A command the saga sent that its aggregate refused (a `DomainError`): delivered to the saga
 * like an event, so it can compensate (a payment to void, a reservation to cancel).
 */
export interface CommandRefused {
  readonly type: 'command.refused';
  readonly data: { readonly commandType: string; readonly code: string; readonly message: string };
  /** When the refusal was recorded. */
  readonly occurredAt: Date;
}

/** What a saga reacts to: an event of the log, typed by the saga's union, one of its deadlines, or a refusal. */
export type SagaMessage<E extends DomainEvent> = EventOf<E> | DeadlineReached | CommandRefused;

/** A command a saga asks the runtime to send, to an aggregate of the triggering event's tenant. */
export interface SagaCommand {
  readonly to: AnyAggregate;
  readonly type: string;
  readonly data: unknown;
}

/** A deadline to set: when it falls due (and the instance has not cancelled it or ended) the saga gets `DeadlineReached`. */
export interface Deadline {
  readonly name: string;
  readonly at: Date;
}

/** What a saga decides on a message: commands to send, deadlines to set or cancel. Plain data; the runtime acts on it. */
export interface Reaction {
  readonly send?: readonly SagaCommand[];
  readonly setDeadlines?: readonly Deadline[];
  readonly cancelDeadlines?: readonly string[];
}

/**
 * A process manager as data plus pure functions, in the spirit of a decider: which events
 * start an instance and which it follows, how an event finds its instance, how its state
 * evolves, and what it does about each message (`react`, given the state before it). No I/O:
 * the runtime records the state, sends the commands (each with an id derived from the saga,
 * the instance and the message, so a re-send is recognised) and keeps the deadlines.
 */
export interface SagaDefinition<State, E extends DomainEvent> {
  /** Names the saga's instances and its subscription; a new name starts from the log's beginning. */
  readonly name: string;
  /** Events that start an instance when their key has none yet. */
  readonly startedBy: readonly E['type'][];
  /** Events that reach an instance already started; without one they are ignored. */
  readonly follows: readonly E['type'][];
  /** The instance an event belongs to, or null for none (e.g. a reservation made without a deposit). */
  readonly correlate: (event: EventOf<E>) => string | null;
  readonly initialState: State;
  readonly evolve: (state: State, message: SagaMessage<E>) => State;
  readonly react: (message: SagaMessage<E>, state: State) => Reaction;
  /** Whether the instance has ended: it takes no more messages and its deadlines are dropped. */
  readonly isDone: (state: State) => boolean;
}

/** A registered saga: its definition plus the event types its subscription reads. */
export interface Saga<State, E extends DomainEvent> extends SagaDefinition<State, E> {
  readonly handles: readonly E['type'][];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a runtime of sagas of any state and events
export type AnySaga = Saga<any, any>;

/** Declares a saga once; register it with `EventSourcingModule.forFeature({ sagas })`. */
export const defineSaga = <State, E extends DomainEvent>(definition: SagaDefinition<State, E>): Saga<State, E> => ({
  ...definition,
  handles: [...new Set([...definition.startedBy, ...definition.follows])],
});

/** A command for `Reaction.send`, typed by the aggregate it goes to: `sendTo(reservations, { type, data })`. */
export const sendTo = <C extends Command>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the aggregate's commands matter here
  aggregate: Aggregate<any, C, any>,
  command: CommandBody<C>,
): SagaCommand => ({ to: aggregate, type: command.type, data: command.data });

/** A deadline `seconds` after a message's time: pure, so replays set the same one. */
export const deadlineAfter = (name: string, seconds: number, message: { readonly occurredAt: Date }): Deadline => ({
  name,
  at: new Date(message.occurredAt.getTime() + seconds * 1000),
});

/** The message a saga gets when the aggregate refuses the command it sent. */
export const commandRefused = (commandType: string, code: string, message: string, at: Date): CommandRefused => ({
  type: 'command.refused',
  data: { commandType, code, message },
  occurredAt: at,
});

/** The message a saga gets when its deadline `name` falls due at `at`. */
export const deadlineReached = (name: string, at: Date): DeadlineReached => ({ type: 'deadline.reached', data: { name }, occurredAt: at });
