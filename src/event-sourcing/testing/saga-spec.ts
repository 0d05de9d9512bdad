import { expect } from '@jest/globals';
import type { DomainEvent } from '../domain/decider.js';
import type { Deadline, Reaction, Saga, SagaCommand, SagaMessage } from '../sagas/saga.js';
import { sagaStep, type SagaInstance, type SagaStep } from '../sagas/saga-step.js';
import type { RecordedEvent } from '../store/event-envelope.js';

const KEY = 'instance-1';

/** What a spec expects of one message: the reaction, and whether the instance ends with it. */
export interface ExpectedReaction extends Reaction {
  readonly ends?: boolean;
}

const step = <State, E extends DomainEvent>(saga: Saga<State, E>, instance: SagaInstance<State> | null, message: SagaMessage<E>) =>
  sagaStep(
    saga,
    instance,
    'eventId' in message
      ? { key: KEY, event: message as RecordedEvent }
      : { key: KEY, tenantId: 'tenant-1', messageId: 'message-1', correlationId: 'correlation-1', message },
  );

const commands = (sent: readonly SagaCommand[] = []) => sent.map(({ to, type, data }) => ({ to: to.type, type, data }));
const deadlines = (set: readonly Deadline[] = []) => set.map(({ name, at }) => ({ name, at: at.toISOString() }));
const plain = (reaction: ExpectedReaction | SagaStep<unknown>) =>
  'instance' in reaction
    ? {
        send: commands(reaction.commands),
        setDeadlines: deadlines(reaction.setDeadlines),
        cancelDeadlines: reaction.cancelDeadlines === 'all' ? [] : reaction.cancelDeadlines,
        ends: reaction.instance.done,
      }
    : {
        send: commands(reaction.send),
        setDeadlines: deadlines(reaction.setDeadlines),
        cancelDeadlines: reaction.ends ? [] : (reaction.cancelDeadlines ?? []),
        ends: reaction.ends ?? false,
      };

/**
 * Scenario tests for a saga, with no database: `given(pastMessages).when(message)` then
 * `.then({ send: [sendTo(…)], setDeadlines: [deadlineAfter(…)], ends: true })` or
 * `.thenIgnores()`. Messages are events built with `recordedEvent()` or `deadlineReached()`;
 * every given message must reach the instance, so a spec cannot pass on a history the saga ignores.
 */
export const sagaSpec = <State, E extends DomainEvent>(saga: Saga<State, E>) => ({
  given: (...history: SagaMessage<E>[]) => ({
    when: (message: SagaMessage<E>) => {
      const before = history.reduce<SagaInstance<State> | null>((instance, past) => {
        const taken = step(saga, instance, past);
        if (taken === null) throw new Error(`The saga ignores the given ${past.type}: the history does not reach its instance`);
        return taken.instance;
      }, null);
      const outcome = step(saga, before, message);
      return {
        then(expected: ExpectedReaction): void {
          if (outcome === null) throw new Error(`Expected a reaction, but the saga ignores ${message.type}`);
          expect(plain(outcome)).toEqual(plain(expected));
        },
        thenIgnores(): void {
          if (outcome !== null) throw new Error(`Expected ${message.type} to be ignored, but the saga reacts: ${JSON.stringify(plain(outcome))}`);
        },
      };
    },
  }),
});
