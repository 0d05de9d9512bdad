import { expect } from '@jest/globals';
import type { Command, Decider, DomainEvent } from '../domain/decider.js';

type ErrorClass = abstract new (...args: never[]) => Error;
type Many<T> = T | readonly T[];

const flatten = <T>(items: readonly Many<T>[]): T[] => items.flatMap((item) => (Array.isArray(item) ? item : [item]) as T[]);
const plain = (events: readonly DomainEvent[]) => events.map(({ type, data }) => ({ type, data }));

export interface Outcome<E> {
  /** The command decides exactly these events (compared as type + data, with a diff). */
  then(...expected: Many<E>[]): void;
  /** The command is refused with this error type (and, optionally, these properties). */
  thenThrows(errorType: ErrorClass, properties?: Record<string, unknown>): void;
}

/** Runs `decide` and reports an outcome: the events, or the error thrown. */
export const outcomeOf = <E extends DomainEvent>(run: () => readonly E[]): Outcome<E> => {
  const outcome = (): { events: readonly E[] } | { error: unknown } => {
    try {
      return { events: run() };
    } catch (error) {
      return { error };
    }
  };
  return {
    then(...expected) {
      const result = outcome();
      if ('error' in result) throw new Error(`Expected events, but the command was refused: ${String(result.error)}`);
      expect(plain(result.events)).toEqual(plain(flatten(expected)));
    },
    thenThrows(errorType, properties = {}) {
      const result = outcome();
      if ('events' in result) {
        throw new Error(`Expected ${errorType.name}, but the command decided ${JSON.stringify(plain(result.events), null, 2)}`);
      }
      expect(result.error).toBeInstanceOf(errorType);
      expect(result.error).toMatchObject(properties);
    },
  };
};

/**
 * Scenario tests for a decider, with no database:
 * `given(pastEvents).when(command).then(newEvents)` or `.thenThrows(ErrorType)`.
 */
export const deciderSpec = <State, C extends Command, E extends DomainEvent>(decider: Decider<State, C, E>) => ({
  given: (...history: Many<E>[]) => ({
    when: (command: C): Outcome<E> =>
      outcomeOf(() => decider.decide(command, flatten(history).reduce(decider.evolve, decider.initialState))),
  }),
});
