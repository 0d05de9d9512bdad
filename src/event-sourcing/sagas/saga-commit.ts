import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Actor } from '../domain/actor.js';
import type { StreamId } from '../store/event-envelope.js';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import type { SagaStep } from './saga-step.js';
import { SAGA_STEPPED } from './saga-stream.js';

/** Sagas act as the system itself: in-process automation, no user. */
export const SAGA_ACTOR: Actor = { type: 'system', id: null };

/** The message a step answered, for the saga stream's record and the trace of what it sends. */
export interface StepTrigger {
  readonly type: string;
  readonly id: string;
  readonly correlationId: string;
  readonly at: Date;
}

/**
 * Records one step inside the caller's transaction: the instance's new state on its stream
 * (at the version it was loaded at, so two steps of one instance cannot both commit) and in
 * the operators' list, its commands in the outbox, and its deadlines set or dropped. All or nothing with the caller's
 * checkpoint or deadline row.
 */
export const commitStep = async (
  client: PoolClient,
  store: PostgresEventStore,
  sagaName: string,
  stream: StreamId,
  loadedVersion: number,
  step: SagaStep<unknown>,
  trigger: StepTrigger,
): Promise<void> => {
  const { instance, commands } = step;
  const data = {
    trigger: trigger.type,
    triggerId: trigger.id,
    state: instance.state as object,
    done: instance.done,
    commandIds: commands.map((c) => c.commandId),
  };
  const metadata = { actor: SAGA_ACTOR, correlationId: trigger.correlationId, causationId: trigger.id };
  const event = { type: SAGA_STEPPED, data, metadata, occurredAt: trigger.at };
  await store.appendWithin(client, stream, [event], { expectedVersion: loadedVersion });
  await client.query(
    `INSERT INTO saga_instances (saga, tenant_id, instance_key, state, done, version, correlation_id, started_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     ON CONFLICT (saga, tenant_id, instance_key)
     DO UPDATE SET state = EXCLUDED.state, done = EXCLUDED.done, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [sagaName, stream.tenantId, instance.key, JSON.stringify(instance.state), instance.done, loadedVersion + 1, trigger.correlationId, trigger.at],
  );
  if (commands.length > 0) {
    await client.query(
      `INSERT INTO saga_commands (command_id, saga, tenant_id, instance_key, aggregate_type, type, data, correlation_id, causation_id)
       SELECT c.id, $1, $2, $3, c.aggregate_type, c.type, c.data, c.correlation_id, c.causation_id
       FROM ROWS FROM (jsonb_to_recordset($4::jsonb) AS (id uuid, aggregate_type text, type text, data jsonb, correlation_id text, causation_id text))
         WITH ORDINALITY AS c(id, aggregate_type, type, data, correlation_id, causation_id, ordinal)
       -- Numbered (seq) in the order the step decided them: the sender sends them in that order.
       ORDER BY c.ordinal
       ON CONFLICT (command_id) DO NOTHING`,
      [
        sagaName,
        stream.tenantId,
        instance.key,
        JSON.stringify(
          commands.map((c) => ({
            id: c.commandId,
            aggregate_type: c.to.type,
            type: c.type,
            data: c.data,
            correlation_id: c.correlationId,
            causation_id: c.causationId,
          })),
        ),
      ],
    );
  }
  const instanceKey = [sagaName, stream.tenantId, instance.key];
  if (step.cancelDeadlines === 'all') {
    await client.query(`DELETE FROM saga_deadlines WHERE saga = $1 AND tenant_id = $2 AND instance_key = $3`, instanceKey);
  } else if (step.cancelDeadlines.length > 0) {
    await client.query(
      `DELETE FROM saga_deadlines WHERE saga = $1 AND tenant_id = $2 AND instance_key = $3 AND name = ANY($4::text[])`,
      [...instanceKey, step.cancelDeadlines],
    );
  }
  for (const deadline of step.setDeadlines) {
    await client.query(
      `INSERT INTO saga_deadlines (saga, tenant_id, instance_key, name, due_at, deadline_id, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (saga, tenant_id, instance_key, name)
       DO UPDATE SET due_at = EXCLUDED.due_at, deadline_id = EXCLUDED.deadline_id, correlation_id = EXCLUDED.correlation_id`,
      [...instanceKey, deadline.name, deadline.at, randomUUID(), trigger.correlationId],
    );
  }
};
