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
  /** What caused the command (a saga's triggering event); its events are caused by the command itself. */
  readonly causationId?: string;
  readonly requestId?: string;
}

/** What a direct append (the generic events API) knows besides the event: the stream's aggregate id and the caller. */
export interface DirectAppendContext {
  readonly aggregateId: string;
  readonly metadata: CommandMetadata;
}

export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandMetadata;
}

/** A command as its sender states it (a controller, a saga): the core adds the metadata. */
export type CommandBody<C extends Command> = C extends Command ? Pick<C, 'type' | 'data'> : never;

/**
 * An aggregate's rules as data plus pure functions: `evolve` folds events into state,
 * `decide` turns a command and the current state into new events or throws a `DomainError`.
 * Everything else about the aggregate (its stored type, event schemas, read models,
 * snapshots) is said once in its registration, `defineAggregate`.
 */
export interface Decider<State, C extends Command, E extends DomainEvent> {
  readonly initialState: State;
  readonly decide: (command: C, state: State) => readonly E[];
  readonly evolve: (state: State, event: E) => State;
}

/** One decision per command type: the functions `byCommandType` routes commands to. */
export type DecisionsByType<State, C extends Command, E extends DomainEvent> = {
  readonly [T in C['type']]: (command: Extract<C, { readonly type: T }>, state: State) => readonly E[];
};

/**
 * A decider's `decide` from one function per command type:
 * `decide: byCommandType({ AddRoom: add, RenameRoom: rename })`. A command type without its
 * function does not compile, so no `switch` and no `default` are needed.
 */
export const byCommandType =
  <State, C extends Command, E extends DomainEvent>(decisions: DecisionsByType<State, C, E>) =>
  (command: C, state: State): readonly E[] =>
    (decisions[command.type as C['type']] as (command: C, state: State) => readonly E[])(command, state);

export const fold = <State, E extends DomainEvent>(
  decider: Pick<Decider<State, never, E>, 'evolve'>,
  state: State,
  events: readonly E[],
): State => events.reduce(decider.evolve, state);

export const assertNever = (value: never): never => {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
};
