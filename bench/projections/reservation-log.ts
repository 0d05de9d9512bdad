import { randomUUID } from 'node:crypto';
import { reservations } from '../../src/contexts/reservations/reservation.aggregate.js';
import type { NewEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import type pg from 'pg';
import { PersonalData } from '../../src/event-sourcing/personal-data/personal-data.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import type { ExtraDatabase } from '../databases.js';
import { BENCH_MASTER_KEY } from '../fixtures.js';
import { progress } from '../progress.js';

export const PRACTICES = 5;
const MAX_CHANGES = 16;
const ACTOR = { type: 'human', id: 'bench-user' } as const;
const FIRST_DAY = Date.UTC(2030, 0, 1);

export const reservationRegistry = (): EventRegistry => new EventRegistry().register(...reservations.eventDefinitions);

/** Seals and opens guests' personal fields as the app does (keys in the bench database). */
export const reservationPersonalData = (pool: pg.Pool, registry = reservationRegistry()): PersonalData =>
  PersonalData.onPostgres(pool, registry, BENCH_MASTER_KEY);

const day = (offset: number): string => new Date(FIRST_DAY + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * The events of reservation number `n`, at most `limit` of them: created, 0–16 date changes,
 * and every third one cancelled (about 9.3 events a stream on average), all valid payloads.
 */
const reservationEvents = (n: number, limit: number): NewEvent[] => {
  const now = new Date().toISOString();
  const metadata = { actor: ACTOR, correlationId: randomUUID() };
  const start = (n * 7) % 700;
  const events: NewEvent[] = [
    {
      type: 'reservation.created',
      data: { reservationId: `r-${n}`, guestId: `guest-${n % 1000}`, guestName: 'Bench Guest', checkInDate: day(start), nights: 1 + (n % 7), createdAt: now },
      metadata,
    },
  ];
  for (let change = 1; change <= n % (MAX_CHANGES + 1); change++) {
    events.push({
      type: 'reservation.changed',
      data: { checkInDate: day(start + change), nights: 1 + ((n + change) % 7), changedAt: now },
      metadata,
    });
  }
  if (n % 3 === 0) events.push({ type: 'reservation.cancelled', data: { reason: 'guest request', cancelledAt: now }, metadata });
  return events.slice(0, limit);
};

const countEvents = async (database: ExtraDatabase): Promise<number> =>
  Number((await database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events`)).rows[0].n);

/**
 * Tops the database's log up to `total` reservation events, one whole stream per append
 * (`writers` appends at once) through the event store, across many streams of `PRACTICES`
 * practices; then vacuums, so the catch-up reads start from the same state as a raw scan.
 * Set-up, not measured.
 */
export const seedReservationLog = async (database: ExtraDatabase, total: number, writers: number): Promise<number> => {
  const existing = await countEvents(database);
  let missing = total - existing;
  if (missing <= 0) return existing;
  const began = performance.now();
  const registry = reservationRegistry();
  const store = new PostgresEventStore(database.pool, registry, undefined, {
    personalData: reservationPersonalData(database.pool, registry),
  });
  const firstStream = Number((await database.pool.query<{ n: string }>(`SELECT count(DISTINCT aggregate_id) AS n FROM events`)).rows[0].n);
  let next = firstStream;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (missing > 0) {
        const n = next++;
        const events = reservationEvents(n, missing);
        missing -= events.length;
        const stream: StreamId = { tenantId: `bench-practice-${n % PRACTICES}`, aggregateType: 'reservation', aggregateId: `r-${n}` };
        await store.append(stream, events, { expectedVersion: 'no_stream' });
      }
    }),
  );
  await database.pool.query(`VACUUM (ANALYZE) events`);
  const seeded = await countEvents(database);
  progress(`seeded ${seeded - existing} reservation events (${next - firstStream} streams) in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  return seeded;
};
