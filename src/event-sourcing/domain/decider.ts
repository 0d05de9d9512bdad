import type { Actor } from './actor.js';

/** A fact in the past tense, as the domain sees it: a stored type name and plain data. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * Facts a command arrives with, so decisions never read the clock or make up identities:
 * replays and tests are exact.
 */
export interface CommandMetadata {
  /** ISO time of the command. */
  readonly now: string;
  readonly actor: Actor;
  readonly tenantId: string;
  readonly commandId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly requestId?: string;
}

/** What a direct append knows besides the event: the stream's aggregate id and the caller. */
export interface DirectAppendContext {
  readonly aggregateId: string;
  readonly metadata: CommandMetadata;
}

export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandMetadata;
}

/**
 * An aggregate as data plus pure functions: `evolve` folds events into state, `decide`
 * turns a command and the current state into new events or throws a `DomainError`.
 */
export interface Decider<State, C extends Command, E extends DomainEvent> {
  readonly aggregateType: string;
  readonly initialState: State;
  readonly decide: (command: C, state: State) => readonly E[];
  readonly evolve: (state: State, event: E) => State;
  /**
   * Snapshot every `every` events; bump `schemaVersion` whenever the state's shape changes,
   * so older snapshots are ignored and the state is folded from events again.
   */
  readonly snapshots?: { readonly every: number; readonly schemaVersion: number };
  /**
   * The command that would have produced `event`. An event appended directly (the generic
   * events API) is accepted only if deciding that command in the current state succeeds,
   * so no direct append reaches a state the commands could not.
   */
  readonly commandFor?: (event: E, context: DirectAppendContext) => C;
}

export const fold = <State, E extends DomainEvent>(
  decider: Pick<Decider<State, never, E>, 'evolve'>,
  state: State,
  events: readonly E[],
): State => events.reduce(decider.evolve, state);

export const assertNever = (value: never): never => {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
};
