import { expect } from '@jest/globals';
import type { AggregateRepository } from '../aggregates/aggregate-repository.js';
import type { Aggregate } from '../aggregates/aggregate.js';
import type { Command, DomainEvent } from '../domain/decider.js';
import type { StreamId } from '../store/event-envelope.js';
import type { EventStore } from '../store/event-store.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The same given/when/then scenario as `deciderSpec`, run through the real repository and
 * store (e.g. on PostgreSQL): history is appended, the command handled, and the events
 * actually stored are compared.
 */
export const repositorySpec = <State, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<State, C, E>,
  repository: AggregateRepository,
  store: EventStore,
  stream: StreamId,
) => ({
  given: (...history: E[]) => ({
    when: (command: C) => {
      const run = async () => {
        if (history.length > 0) {
          await store.append(
            stream,
            history.map(({ type, data }) => ({ type, data, metadata: { actor: { type: 'system' as const, id: 'test' } } })),
          );
        }
        return repository.handle(aggregate, stream, command);
      };
      return {
        async then(...expected: E[]): Promise<void> {
          await run();
          const stored = await store.readStream(stream, { fromVersion: history.length + 1 });
          expect(stored.map(({ type, data }) => ({ type, data }))).toEqual(expected.map(({ type, data }) => ({ type, data })));
        },
        async thenThrows(errorType: ErrorClass, properties: Record<string, unknown> = {}): Promise<void> {
          const error = await run().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(errorType);
          expect(error).toMatchObject(properties);
          expect(await store.streamVersion(stream)).toBe(history.length);
        },
      };
    },
  }),
});
