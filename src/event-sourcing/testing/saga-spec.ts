import { expect } from '@jest/globals';
import type { DomainEvent } from '../domain/decider.js';
import type { Deadline, Reaction, Saga, SagaCommand, SagaMessage } from '../sagas/saga.js';
import { instanceKeyOf, sagaStep, type SagaInstance, type SagaStep } from '../sagas/saga-step.js';
import type { EventOf, RecordedEvent } from '../store/event-envelope.js';

/** The instance of a spec whose messages name none (runtime messages only). */
const UNNAMED = 'instance-1';

/** What a spec expects of one message: the reaction, and whether the instance ends with it. */
export interface ExpectedReaction extends Reaction {
  readonly ends?: boolean;
}

const isEvent = <E extends DomainEvent>(message: SagaMessage<E>): message is EventOf<E> => 'eventId' in message;

/**
 * The instance the runtime hands an event to, as it finds it (`instanceKeyOf`: the saga's
 * `correlate`), or why it hands it to none. A spec that skipped this passed on a `correlate`
 * that loses events, a process the runtime never runs.
 */
const keyOf = <State, E extends DomainEvent>(saga: Saga<State, E>, event: RecordedEvent): { key: string } | { lost: string } => {
  if (!saga.handles.includes(event.type)) return { lost: `the saga neither starts with nor follows ${event.type}` };
  const key = instanceKeyOf(saga, event);
  return key === null ? { lost: `the saga does not correlate ${event.type} (correlate returned null)` } : { key };
};

/** A spec follows one instance: an event the runtime would hand to another one is a mistake in the spec. */
const otherInstance = (type: string, key: string, instance: string) =>
  `${type} correlates with instance ${key}, not ${instance} of the messages before it: a spec follows one instance`;

const step = <State, E extends DomainEvent>(saga: Saga<State, E>, instance: SagaInstance<State> | null, key: string, message: SagaMessage<E>) =>
  sagaStep(
    saga,
    instance,
    isEvent(message)
      ? { key, event: message }
      : { key, tenantId: 'tenant-1', messageId: 'message-1', correlationId: 'correlation-1', message },
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
 * `.thenIgnores()`. Messages are events built with `recordedEvent()` or `deadlineReached()`.
 * Each event goes where the runtime would send it, through the saga's `correlate`: every given
 * message must reach the one instance the spec follows, so a spec cannot pass on a history the
 * saga ignores or loses, nor on events of two instances; `then` fails on a `when` event the
 * saga does not correlate with it.
 */
export const sagaSpec = <State, E extends DomainEvent>(saga: Saga<State, E>) => ({
  given: (...history: SagaMessage<E>[]) => ({
    when: (message: SagaMessage<E>) => {
      let instanceKey: string | undefined;
      const before = history.reduce<SagaInstance<State> | null>((instance, past) => {
        if (isEvent(past)) {
          const routed = keyOf(saga, past);
          if ('lost' in routed) throw new Error(`The given ${past.type} reaches no instance: ${routed.lost}`);
          if (instanceKey !== undefined && routed.key !== instanceKey) throw new Error(otherInstance(past.type, routed.key, instanceKey));
          instanceKey = routed.key;
        }
        const taken = step(saga, instance, instanceKey ?? UNNAMED, past);
        if (taken === null) throw new Error(`The saga ignores the given ${past.type}: the history does not reach its instance`);
        return taken.instance;
      }, null);
      const routed = isEvent(message) ? keyOf(saga, message) : { key: instanceKey ?? UNNAMED };
      if ('key' in routed && instanceKey !== undefined && routed.key !== instanceKey) {
        throw new Error(otherInstance(message.type, routed.key, instanceKey));
      }
      const outcome = 'key' in routed ? step(saga, before, routed.key, message) : null;
      return {
        then(expected: ExpectedReaction): void {
          if ('lost' in routed) throw new Error(`Expected a reaction, but ${message.type} reaches no instance: ${routed.lost}`);
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
