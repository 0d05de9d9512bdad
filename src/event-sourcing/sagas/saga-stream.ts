import { IsArray, IsBoolean, IsObject, IsString } from 'class-validator';
import type { PoolClient } from 'pg';
import type { EventTypeDefinition } from '../store/event-registry.js';
import type { StreamId } from '../store/event-envelope.js';
import type { SagaInstance } from './saga-step.js';

/** The one event of saga streams: a message handled, and the state, end and commands it led to. */
export const SAGA_STEPPED = 'saga.stepped';

class SagaSteppedPayload {
  @IsString() trigger!: string;
  @IsString() triggerId!: string;
  /** The instance's state after the message: plain JSON, as the saga's `evolve` made it. */
  @IsObject() state!: object;
  @IsBoolean() done!: boolean;
  @IsArray() @IsString({ each: true }) commandIds!: string[];
}

export const sagaSteppedType: EventTypeDefinition = { type: SAGA_STEPPED, payload: SagaSteppedPayload };

/** A saga instance's own stream: `<tenant>/saga.<name>/<key>`. */
export const sagaStream = (saga: string, tenantId: string, key: string): StreamId => ({
  tenantId,
  aggregateType: `saga.${saga}`,
  aggregateId: key,
});

/** An instance as its stream last left it, with the stream's version; null and 0 before its first step. */
export const loadInstance = async <State>(
  client: PoolClient,
  stream: StreamId,
): Promise<{ instance: SagaInstance<State> | null; version: number }> => {
  const { rows } = await client.query<{ data: { state: State; done: boolean }; version: number }>(
    `SELECT data, version FROM events WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3
     ORDER BY version DESC LIMIT 1`,
    [stream.tenantId, stream.aggregateType, stream.aggregateId],
  );
  const last = rows[0];
  if (!last) return { instance: null, version: 0 };
  return { instance: { key: stream.aggregateId, state: last.data.state, done: last.data.done }, version: last.version };
};
