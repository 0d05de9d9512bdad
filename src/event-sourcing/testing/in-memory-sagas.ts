import type { AnyAggregate } from '../aggregates/aggregate.js';
import { commandRefused, deadlineReached, type AnySaga, type Deadline } from '../sagas/saga.js';
import { SAGA_ACTOR } from '../sagas/saga-commit.js';
import { refusalOf } from '../sagas/saga-command-refusal.js';
import { instanceKeyOf, sagaStep, type OutgoingCommand, type RuntimeMessage, type SagaInstance, type SagaStep } from '../sagas/saga-step.js';
import { LOG_START, type LogCursor } from '../store/log-cursor.js';
import { inMemoryAggregates } from './in-memory-aggregates.js';

interface PendingDeadline extends Deadline {
  readonly saga: AnySaga;
  readonly tenantId: string;
  readonly key: string;
  readonly correlationId: string;
  readonly id: string;
}

/**
 * Sagas and the aggregates they command, in memory, as the runtime would run them: `settle()`
 * hands every new event of the log to the sagas and sends their commands until nothing moves;
 * `fireDeadlinesDueBy(time)` makes time pass. A refused command reaches its saga as
 * `command.refused`. No database, no workers: a whole process checked in milliseconds.
 */
export const inMemorySagas = (sagas: readonly AnySaga[], ...aggregates: readonly AnyAggregate[]) => {
  const { repository, store, readModels } = inMemoryAggregates(...aggregates);
  const byType = new Map(aggregates.map((aggregate) => [aggregate.type, aggregate]));
  const instances = new Map<string, SagaInstance<unknown>>();
  let deadlines: PendingDeadline[] = [];
  let cursor: LogCursor = LOG_START;
  let deadlineIds = 0;

  /** A step's effects, as the runtime commits them; its deadlines carry the trigger's correlation id. */
  const apply = async (saga: AnySaga, tenantId: string, correlationId: string, step: SagaStep<unknown> | null): Promise<void> => {
    if (step === null) return;
    const { key } = step.instance;
    instances.set(`${saga.name}/${tenantId}/${key}`, step.instance);
    const mine = (d: PendingDeadline) => d.saga === saga && d.tenantId === tenantId && d.key === key;
    const cancelled = step.cancelDeadlines;
    deadlines = deadlines.filter((d) => !mine(d) || (cancelled !== 'all' && !cancelled.includes(d.name)));
    for (const { name, at } of step.setDeadlines) {
      const id = `deadline-${++deadlineIds}`;
      deadlines = [...deadlines.filter((d) => !(mine(d) && d.name === name)), { saga, tenantId, key, name, at, correlationId, id }];
    }
    for (const command of step.commands) await send(saga, key, command);
  };

  const send = async (saga: AnySaga, key: string, command: OutgoingCommand): Promise<void> => {
    const { commandId, tenantId, correlationId, causationId } = command;
    const metadata = { now: new Date().toISOString(), actor: SAGA_ACTOR, tenantId, commandId, correlationId, causationId };
    try {
      await repository.execute(byType.get(command.to.type) ?? command.to, { type: command.type, data: command.data, metadata });
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal === null) throw error;
      const message = commandRefused(command.type, refusal.code, refusal.message, new Date());
      await stepRuntime(saga, { key, tenantId, messageId: commandId, correlationId, message });
    }
  };

  const stepRuntime = (saga: AnySaga, input: RuntimeMessage) => {
    const current = instances.get(`${saga.name}/${input.tenantId}/${input.key}`) ?? null;
    return apply(saga, input.tenantId, input.correlationId, sagaStep(saga, current, input));
  };

  /** Hands every event not yet seen to each saga, and sends what they decide, until the log stops growing. */
  const settle = async (): Promise<void> => {
    for (let page = await store.readAll({ after: cursor }); page.events.length > 0; page = await store.readAll({ after: cursor })) {
      cursor = page.cursor;
      for (const event of page.events) {
        for (const saga of sagas) {
          const key = instanceKeyOf(saga, event);
          if (key === null) continue;
          const current = instances.get(`${saga.name}/${event.tenantId}/${key}`) ?? null;
          const correlationId = event.metadata.correlationId ?? event.eventId;
          await apply(saga, event.tenantId, correlationId, sagaStep(saga, current, { key, event }));
        }
      }
    }
  };

  /**
   * Fires, in time order, every deadline due at `time`, then settles. As the runtime does, a
   * deadline reaches its saga only once the saga has read every event already in the log (all
   * committed before it fell due): the log is settled first, and again after each deadline, so
   * an event in time cancels a deadline rather than race it.
   */
  const fireDeadlinesDueBy = async (time: Date): Promise<void> => {
    await settle();
    const due = deadlines.filter((d) => d.at <= time).sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const d of due) {
      // Dropped meanwhile: cancelled, set again, or its instance ended.
      if (!deadlines.includes(d)) continue;
      deadlines = deadlines.filter((pending) => pending !== d);
      const message = deadlineReached(d.name, d.at);
      await stepRuntime(d.saga, { key: d.key, tenantId: d.tenantId, messageId: d.id, correlationId: d.correlationId, message });
      await settle();
    }
  };

  return {
    repository,
    store,
    readModels,
    settle,
    fireDeadlinesDueBy,
    /** An instance's state, or undefined before its first step. */
    instance: (saga: AnySaga, tenantId: string, key: string) => instances.get(`${saga.name}/${tenantId}/${key}`),
    /** The deadlines not yet fired or cancelled. */
    pendingDeadlines: () => deadlines.map(({ saga, tenantId, key, name, at }) => ({ saga: saga.name, tenantId, key, name, at })),
  };
};
