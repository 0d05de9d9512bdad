import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { reservationEventSchemas } from '../src/contexts/reservations/infrastructure/reservation.event-schemas.js';
import { EventRegistry } from '../src/event-sourcing/store/event-registry.js';
import { median } from './harness/sample.js';
import { OrderPlaced } from './payloads/order-placed.js';

/**
 * Per-event CPU cost of payload validation, in µs (median of rounds): `node dist/bench/payload-validation.js`.
 * `BEFORE_DIST=<dist of another build>` adds that build's registry, measured in the same rounds (A B, B A, …);
 * both builds must resolve the same class-validator, or the other one sees no metadata.
 */

interface Registry {
  register(...definitions: { type: string; payload: new () => object }[]): unknown;
  validate(type: string, data: unknown): void;
}

const ITERATIONS = Number(process.env.ITERATIONS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);

const line = (index: number) => ({ sku: `SKU-${10_000 + index}`, quantity: 1 + (index % 3), unitPriceCents: 1_999 });
const order = (lines: number) => ({
  orderId: '3f1c2b1e-8a4d-4c3e-9b2a-1d2e3f4a5b6c',
  customerId: 'customer-42',
  lines: Array.from({ length: lines }, (_, index) => line(index)),
  currency: 'EUR',
});
const flat = { checkInDate: '2030-01-02', nights: 3, changedAt: '2030-01-01T10:00:00.000Z' };

// The app's own flat payload class (its schemas map is typed as an EventSchema, a class or a definition).
const ReservationChanged = reservationEventSchemas['reservation.changed'] as new () => object;

const workloads = [
  { name: 'flat (reservation.changed)', type: 'reservation.changed', data: flat },
  { name: `order, 1 line (${JSON.stringify(order(1)).length} B)`, type: 'order.placed', data: order(1) },
  { name: `order, 2 lines (${JSON.stringify(order(2)).length} B)`, type: 'order.placed', data: order(2) },
  { name: `order, 5 lines (${JSON.stringify(order(5)).length} B)`, type: 'order.placed', data: order(5) },
  { name: `order, 20 lines (${JSON.stringify(order(20)).length} B)`, type: 'order.placed', data: order(20) },
] as const;

const registryOf = (Registry: new () => Registry): Registry => {
  const registry = new Registry();
  registry.register(
    { type: 'reservation.changed', payload: ReservationChanged },
    { type: 'order.placed', payload: OrderPlaced },
  );
  return registry;
};

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };
const classValidator = {
  validate: (type: string, data: unknown) => {
    const payload = type === 'order.placed' ? OrderPlaced : ReservationChanged;
    if (validateSync(plainToInstance(payload, data), OPTIONS).length > 0) throw new Error(`${type} refused`);
  },
};

const variants: { name: string; registry: Pick<Registry, 'validate'> }[] = [
  { name: 'after', registry: registryOf(EventRegistry) },
  { name: 'class-validator', registry: classValidator },
];
if (process.env.BEFORE_DIST) {
  const before = (await import(`${process.env.BEFORE_DIST}/src/event-sourcing/store/event-registry.js`)) as {
    EventRegistry: new () => Registry;
  };
  variants.push({ name: 'before', registry: registryOf(before.EventRegistry) });
}

/** CPU µs per event of one pass: on a shared machine, time spent waiting for a core would swamp the figures. */
const pass = (registry: Pick<Registry, 'validate'>, type: string, data: unknown): number => {
  const started = process.cpuUsage();
  for (let index = 0; index < ITERATIONS; index++) registry.validate(type, data);
  const { user, system } = process.cpuUsage(started);
  return (user + system) / ITERATIONS;
};


for (const { name, type, data } of workloads) {
  const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
  for (const variant of variants) pass(variant.registry, type, data); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) samples.get(variant.name)?.push(pass(variant.registry, type, data));
  }
  const cells = variants.map((variant) => `${variant.name} ${median(samples.get(variant.name) ?? []).toFixed(2)} µs`);
  process.stdout.write(`${name.padEnd(28)} ${cells.join('   ')}\n`);
}
