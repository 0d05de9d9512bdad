import { randomUUID } from 'node:crypto';
import { IsInt, IsString, Max, Min } from 'class-validator';
import type { NewEvent } from '../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../src/event-sourcing/store/event-registry.js';

/** The one event type every workload writes: small, like a typical domain event. */
export const BENCH_EVENT_TYPE = 'bench.item_added';
export const BENCH_TENANT = 'bench-tenant';

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

export const benchRegistry = (): EventRegistry =>
  new EventRegistry().register({ type: BENCH_EVENT_TYPE, payload: ItemAdded });

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
