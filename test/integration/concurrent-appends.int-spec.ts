import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IsString } from 'class-validator';
import type { NewEvent, RecordedEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import type { AppendResult } from '../../src/event-sourcing/store/event-store.js';
import { ConcurrencyError } from '../../src/event-sourcing/store/event-store.errors.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class SeatTaken {
  @IsString() seat!: string;
}

const registry = new EventRegistry().register({ type: 'seat.taken', payload: SeatTaken });

const seatTaken = (seat: string): NewEvent => ({
  eventId: randomUUID(),
  type: 'seat.taken',
  data: { seat },
  metadata: { actor: { type: 'human', id: `user-${seat}` } },
});

const freshStream = (): StreamId => ({
  tenantId: 'tenant-1',
  aggregateType: 'flight',
  aggregateId: `flight-${randomUUID()}`,
});
const idsOf = (events: readonly RecordedEvent[]) => events.map((e) => e.eventId);

const WRITERS = 20;

const fulfilled = <T>(results: PromiseSettledResult<T>[]): T[] =>
  results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
const rejected = <T>(results: PromiseSettledResult<T>[]): unknown[] =>
  results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));

describe('concurrent appends on PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase(WRITERS + 4);
    store = new PostgresEventStore(db.pool, registry);
    // Open every connection up front, so the writers start together rather than one
    // connection handshake apart.
    const clients = await Promise.all(Array.from({ length: WRITERS + 2 }, () => db.pool.connect()));
    for (const client of clients) client.release();
  });
  afterAll(() => {
    // drop() ends the pool before its connections have closed, and DROP DATABASE ... WITH (FORCE)
    // may then terminate one whose error reaches a pool nobody listens to any more.
    db.pool.on('error', () => undefined);
    return db.drop();
  });

  /**
   * Runs `count` appends at once. "lined up" makes the race certain: a transaction holds a
   * SHARE lock on `events`, so every append checks its expected version, then waits at its
   * INSERT; once all of them wait there the lock goes and they insert together.
   */
  const race = async (
    start: 'fired together' | 'lined up at the insert',
    count: number,
    append: (index: number) => Promise<AppendResult>,
  ): Promise<PromiseSettledResult<AppendResult>[]> => {
    if (start === 'fired together') return Promise.allSettled(Array.from({ length: count }, (_, i) => append(i)));
    const gate = await db.pool.connect();
    try {
      await gate.query('BEGIN');
      await gate.query('LOCK TABLE events IN SHARE MODE');
      const appends = Promise.allSettled(Array.from({ length: count }, (_, i) => append(i)));
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await gate.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_locks
           WHERE locktype = 'relation' AND relation = 'events'::regclass AND NOT granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        if (rows[0].waiting === count) break;
        if (Date.now() > deadline) throw new Error(`only ${rows[0].waiting} of ${count} appends reached the insert`);
        await sleep(5);
      }
      await gate.query('COMMIT');
      return await appends;
    } catch (error) {
      await gate.query('ROLLBACK');
      throw error;
    } finally {
      gate.release();
    }
  };

  describe.each(['fired together', 'lined up at the insert'] as const)('with the appends %s', (start) => {
    describe('when all expect the same exact version', () => {
      it('lets exactly one win and refuses the others with a ConcurrencyError', async () => {
        const stream = freshStream();
        const before = (await store.append(stream, [seatTaken('1A'), seatTaken('1B')])).events;

        const results = await race(start, WRITERS, (i) =>
          store.append(stream, [seatTaken(`2${i}`)], { expectedVersion: 2 }),
        );

        const winners = fulfilled(results);
        expect(winners).toHaveLength(1);
        expect(winners[0].events.map((e) => e.version)).toEqual([3]);
        const losers = rejected(results);
        expect(losers).toHaveLength(WRITERS - 1);
        for (const loser of losers) {
          expect(loser).toBeInstanceOf(ConcurrencyError);
          expect(loser).toMatchObject({ expectedVersion: 2, actualVersion: 3 });
        }
        expect(idsOf(await store.readStream(stream))).toEqual([...idsOf(before), ...idsOf(winners[0].events)]);
      });
    });

    describe('when all expect any version', () => {
      it('lands every append, numbering the stream 1..n without gap or duplicate', async () => {
        const stream = freshStream();

        const results = await race(start, WRITERS, (i) =>
          store.append(stream, [seatTaken(`${i}A`), seatTaken(`${i}B`)], { expectedVersion: 'any' }),
        );

        expect(rejected(results)).toEqual([]);
        const appended = fulfilled(results);
        for (const { events } of appended) expect(events[1].version).toBe(events[0].version + 1);
        const versions = appended.flatMap((r) => r.events.map((e) => e.version)).sort((a, b) => a - b);
        expect(versions).toEqual(Array.from({ length: 2 * WRITERS }, (_, i) => i + 1));
        const stored = await store.readStream(stream);
        expect(stored.map((e) => e.version)).toEqual(versions);
        expect(new Set(idsOf(stored))).toEqual(new Set(appended.flatMap((r) => idsOf(r.events))));
      });
    });

    describe('when the same append is retried many times at once', () => {
      // The race between a retry's duplicate check and its version check is narrow: ten rounds.
      const rounds = Array.from({ length: 10 }, (_, round) => round + 1);
      it.each(rounds)('stores one copy and answers every call with it (round %i)', async () => {
        const stream = freshStream();
        const batch = [seatTaken('3A'), seatTaken('3B')];
        const retries = 10;

        const results = await race(start, retries, () => store.append(stream, batch, { expectedVersion: 'no_stream' }));

        expect(rejected(results)).toEqual([]);
        const answers = fulfilled(results);
        expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
        const stored = await store.readStream(stream);
        expect(idsOf(stored)).toEqual(batch.map((e) => e.eventId));
        expect(stored.map((e) => e.version)).toEqual([1, 2]);
        const placeOf = ({ eventId, version, position, transactionId }: RecordedEvent) => ({
          eventId,
          version,
          position,
          transactionId,
        });
        for (const answer of answers) {
          expect(answer.nextExpectedVersion).toBe(2);
          expect(answer.events.map(placeOf)).toEqual(stored.map(placeOf));
        }
      });
    });

    describe('when all create the same stream', () => {
      it('lets exactly one create it and refuses the others', async () => {
        const stream = freshStream();

        const results = await race(start, WRITERS, (i) =>
          store.append(stream, [seatTaken(`4${i}`)], { expectedVersion: 'no_stream' }),
        );

        const winners = fulfilled(results);
        expect(winners).toHaveLength(1);
        const losers = rejected(results);
        expect(losers).toHaveLength(WRITERS - 1);
        for (const loser of losers) {
          expect(loser).toBeInstanceOf(ConcurrencyError);
          expect(loser).toMatchObject({ expectedVersion: 'no_stream', actualVersion: 1 });
        }
        expect(idsOf(await store.readStream(stream))).toEqual(idsOf(winners[0].events));
      });
    });
  });
});
