import type { Actor } from '../domain/actor.js';

export { ACTOR_TYPES, type Actor, type ActorType } from '../domain/actor.js';

/** Envelope metadata: never part of an event's data, always stored beside it. */
export interface EventMetadata {
  readonly actor: Actor;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly commandId?: string;
  readonly requestId?: string;
}

/** A stream is one aggregate instance of one tenant. */
export interface StreamId {
  readonly tenantId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
}

/** An event a caller asks the store to append. */
export interface NewEvent<Data = unknown> {
  /** Supplying the id makes retries idempotent; omitted ids are generated. */
  readonly eventId?: string;
  readonly type: string;
  readonly data: Data;
  readonly metadata: EventMetadata;
  /** Business time; defaults to the append time. */
  readonly occurredAt?: Date;
}

/** An event as stored, upcast to its type's current schema version. */
export interface RecordedEvent<Data = unknown> extends StreamId {
  /** Global position: unique and increasing in insertion order (not commit order). */
  readonly position: number;
  readonly eventId: string;
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Data;
  readonly metadata: EventMetadata;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  /** The id of the writing transaction: the first key of the gap-free global order. */
  readonly transactionId: string;
}

/**
 * An envelope (a recorded or pending event) whose `type` and `data` are those of one event of
 * the union `E`, so a projection's `switch (event.type)` narrows `data` without a cast.
 */
export type EventOf<E extends { readonly type: string; readonly data: unknown }, Envelope extends { readonly type: string } = RecordedEvent> =
  E extends unknown ? Omit<Envelope, 'type' | 'data'> & { readonly type: E['type']; readonly data: E['data'] } : never;

export const streamKey = (stream: StreamId): string =>
  `${stream.tenantId}/${stream.aggregateType}/${stream.aggregateId}`;
