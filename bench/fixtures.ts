import { randomUUID } from 'node:crypto';
import { IsInt, IsString, Max, Min } from 'class-validator';
import type { Pool } from 'pg';
import { KeyWrapping } from '../src/event-sourcing/personal-data/key-wrapping.js';
import { PersonalData } from '../src/event-sourcing/personal-data/personal-data.js';
import { PostgresSubjectKeys } from '../src/event-sourcing/personal-data/postgres-subject-keys.js';
import type { NewEvent } from '../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../src/event-sourcing/store/event-registry.js';
import { ORDER_EVENT_TYPE, orderEventSource } from './payloads/order-events.js';
import { OrderPlaced } from './payloads/order-placed.js';
import { GuestNoted, guestEventSource, PERSONAL_EVENT_TYPE, PERSONAL_FIELDS, UNSEALED_EVENT_TYPE } from './payloads/guest-events.js';

/** The flat event type the original workloads write: small, like a typical domain event. */
export const BENCH_EVENT_TYPE = 'bench.item_added';
export const BENCH_TENANT = 'bench-tenant';
/** The bench's master key (KEY_ENCRYPTION_KEY): personal fields are sealed and opened as in the app. */
export const BENCH_MASTER_KEY = Buffer.alloc(32, 42);

/**
 * Personal data as a process of the app keeps it: subjects' keys cached, listening for
 * forgettings. Without the listener, readers of opened events keep nothing (pages shared by a
 * subscription's partitions, keys), as a process that may miss a forgetting must: not what the app
 * measures. `stop` before the pool ends.
 */
export const listeningPersonalData = async (pool: Pool, registry: EventRegistry): Promise<{ personalData: PersonalData; stop: () => Promise<void> }> => {
  const keys = new PostgresSubjectKeys(pool, new KeyWrapping(BENCH_MASTER_KEY));
  await keys.start();
  return { personalData: new PersonalData(registry, keys), stop: () => keys.stop() };
};

class ItemAdded {
  @IsString()
  sku: string;

  @IsInt()
  @Min(1)
  @Max(100)
  quantity: number;

  @IsString()
  note: string;
}

/** The flat and order payloads: the types another build's store registers too (`BENCH_STORE_DIST`). */
export const PLAIN_BENCH_TYPES = [
  { type: BENCH_EVENT_TYPE, payload: ItemAdded },
  { type: ORDER_EVENT_TYPE, payload: OrderPlaced },
] as const;

export const benchRegistry = (): EventRegistry =>
  new EventRegistry().register(
    ...PLAIN_BENCH_TYPES,
    { type: PERSONAL_EVENT_TYPE, payload: GuestNoted, personal: PERSONAL_FIELDS },
    { type: UNSEALED_EVENT_TYPE, payload: GuestNoted },
  );

let sequence = 0;

/** A fresh event; the store generates its id, the raw baseline generates one the same way. */
export const benchEvent = (): NewEvent => {
  sequence += 1;
  return {
    type: BENCH_EVENT_TYPE,
    data: { sku: `sku-${sequence}`, quantity: (sequence % 10) + 1, note: 'added from the bench' },
    metadata: { actor: { type: 'human', id: 'bench-user' }, correlationId: randomUUID() },
  };
};

export const benchEvents = (count: number): NewEvent[] => Array.from({ length: count }, benchEvent);

/** Gives the next `count` events of a source. */
export type EventSource = (count: number) => NewEvent[];

/**
 * What a workload's events look like: `flat` (`bench.item_added`, three scalar fields) or
 * `order` (`order.placed`, an order with 1–20 nested lines, seeded: the sources a workload
 * makes under one seed name for each target give every target the same orders).
 */
export interface BenchPayload {
  readonly name: 'flat' | 'order' | 'personal' | 'unsealed';
  source(seed: string): EventSource;
}

export const FLAT_PAYLOAD: BenchPayload = { name: 'flat', source: () => benchEvents };
export const ORDER_PAYLOAD: BenchPayload = { name: 'order', source: orderEventSource };
/** Guests' names, e-mails and phones sealed under their keys (the store opens them on read). */
export const PERSONAL_PAYLOAD: BenchPayload = { name: 'personal', source: guestEventSource(PERSONAL_EVENT_TYPE) };
/** The same events, their type registered without personal fields: the store as before encryption. */
export const UNSEALED_PAYLOAD: BenchPayload = { name: 'unsealed', source: guestEventSource(UNSEALED_EVENT_TYPE) };
