import { nameBasedId } from '../aggregates/deterministic-event-id.js';
import type { DomainEvent } from '../domain/decider.js';
import type { RecordedEvent } from '../store/event-envelope.js';
import type { AnySaga, CommandRefused, Deadline, DeadlineReached, Saga, SagaCommand, SagaMessage } from './saga.js';

/** A saga instance as its runtime keeps it: the state after the messages handled so far. */
export interface SagaInstance<State> {
  readonly key: string;
  readonly state: State;
  readonly done: boolean;
}

/** A saga's command as the runtime sends it: ids that make a re-send the same command, and its trace. */
export interface OutgoingCommand extends SagaCommand {
  readonly commandId: string;
  readonly tenantId: string;
  readonly correlationId: string;
  readonly causationId: string;
}

/**
 * The id a saga command gets from its name (saga, instance, message, index). Its events' ids
 * derive from it, so one anybody can compute lets them append an event with that id first, and
 * the command fails for ever: the runtime keys it with the database's secret (CommandIds);
 * the in-memory runtime and specs use the name-based UUID.
 */
export type SagaCommandIds = (name: string) => string;

/** What handling one message does to an instance. */
export interface SagaStep<State> {
  readonly instance: SagaInstance<State>;
  readonly commands: readonly OutgoingCommand[];
  readonly setDeadlines: readonly Deadline[];
  /** Names of deadlines to drop; all of them once the instance is done. */
  readonly cancelDeadlines: readonly string[] | 'all';
}

/**
 * A message of the runtime's own (a deadline fell due, a command was refused), as it hands it
 * over: its instance, its id (the deadline's, the refused command's) and the trace with it.
 */
export interface RuntimeMessage {
  readonly key: string;
  readonly tenantId: string;
  readonly messageId: string;
  readonly correlationId: string;
  readonly message: DeadlineReached | CommandRefused;
}

/** Only an instance's own runtime messages reach it: they never start one. */
const fromRuntime = (message: SagaMessage<DomainEvent>): message is DeadlineReached | CommandRefused =>
  message.type === 'deadline.reached' || message.type === 'command.refused';

/** The instance key an event belongs to, or null when the saga has nothing to do with it. */
export const instanceKeyOf = (saga: AnySaga, event: RecordedEvent): string | null =>
  saga.handles.includes(event.type) ? saga.correlate(event) : null;

/**
 * One message through a saga, purely: whether it starts the instance, reaches it or is ignored
 * (null), the reaction to it (decided on the state before it), the state after it, and the
 * commands with ids derived from the saga, the instance and the message: handling the same
 * message again yields the same commands, so the aggregates recognise a re-send.
 */
export const sagaStep = <State, E extends DomainEvent>(
  saga: Saga<State, E>,
  current: SagaInstance<State> | null,
  input: { readonly event: RecordedEvent; readonly key: string } | RuntimeMessage,
  commandIdOf: SagaCommandIds = nameBasedId,
): SagaStep<State> | null => {
  const message = ('message' in input ? input.message : input.event) as SagaMessage<E>;
  const starts = current === null && !fromRuntime(message) && saga.startedBy.includes(message.type);
  const reaches = current !== null && !current.done && (fromRuntime(message) || saga.follows.includes(message.type));
  if (!starts && !reaches) return null;
  const before = current?.state ?? saga.initialState;
  const reaction = saga.react(message, before);
  const state = saga.evolve(before, message);
  const done = saga.isDone(state);
  const trace =
    'message' in input
      ? { tenantId: input.tenantId, causationId: input.messageId, correlationId: input.correlationId }
      : {
          tenantId: input.event.tenantId,
          causationId: input.event.eventId,
          correlationId: input.event.metadata.correlationId ?? input.event.eventId,
        };
  const commands = (reaction.send ?? []).map((command, index) => ({
    ...command,
    ...trace,
    commandId: commandIdOf(`chronicle:saga:${saga.name}:${input.key}:${trace.causationId}:${index}`),
  }));
  return {
    instance: { key: input.key, state, done },
    commands,
    setDeadlines: done ? [] : (reaction.setDeadlines ?? []),
    cancelDeadlines: done ? 'all' : (reaction.cancelDeadlines ?? []),
  };
};
