import type { NewEvent } from '../../src/event-sourcing/store/event-envelope.js';
import type { OrderLine, OrderPlaced } from './order-placed.js';

export const ORDER_EVENT_TYPE = 'order.placed';
export const MAX_ORDER_LINES = 20;

/** mulberry32: a small seeded PRNG, so every target appends the same orders, byte for byte. */
const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/**
 * Line counts 1–20 with P(n) ∝ 1/n²: most orders hold a line or two, a few hold many, and
 * the mean JSON size lands near the ~200 bytes of the orders (the bench reports it).
 */
const LINE_COUNT_CDF = ((): number[] => {
  const weights = Array.from({ length: MAX_ORDER_LINES }, (_, index) => 1 / (index + 1) ** 2);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let cumulative = 0;
  return weights.map((weight) => (cumulative += weight / total));
})();

const hex = (random: () => number, digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

/** A version-4-shaped UUID from the seeded PRNG. */
const seededUuid = (random: () => number): string =>
  `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${'89ab'[Math.floor(random() * 4)]}${hex(random, 3)}-` +
  hex(random, 12);

const int = (random: () => number, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

const orderLine = (random: () => number): OrderLine => ({
  sku: `SKU-${int(random, 1, 99_999)}`,
  quantity: int(random, 1, 5),
  unitPriceCents: int(random, 99, 49_999),
});

const orderPlaced = (random: () => number): OrderPlaced => {
  const draw = random();
  // No bound above the draw only when rounding leaves the last one just under 1: the longest order.
  const lines = LINE_COUNT_CDF.findIndex((bound) => draw < bound) + 1 || MAX_ORDER_LINES;
  return {
    orderId: seededUuid(random),
    customerId: `customer-${int(random, 1, 99_999)}`,
    lines: Array.from({ length: lines }, () => orderLine(random)),
    currency: random() < 0.7 ? 'EUR' : 'USD',
  };
};

/** FNV-1a: turns a seed's name (a workload phase, a writer) into the PRNG's seed. */
const seedOf = (name: string): number => {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index++) hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  return hash >>> 0;
};

/**
 * `order.placed` events from a named seed: sources of the same name give the same events
 * (data and metadata, correlation ids included), so the sides of a comparison write the same bytes.
 */
export const orderEventSource = (seed: string): ((count: number) => NewEvent[]) => {
  const random = seededRandom(seedOf(seed));
  return (count) =>
    Array.from({ length: count }, () => ({
      type: ORDER_EVENT_TYPE,
      data: orderPlaced(random),
      metadata: { actor: { type: 'human', id: 'bench-user' }, correlationId: seededUuid(random) },
    }));
};
