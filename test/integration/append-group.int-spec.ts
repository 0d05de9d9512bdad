import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import { reservationConfirmed, reservationCreated, STAFF } from '../../src/contexts/reservations/domain/reservation.fixtures.js';
import { reservationListChanges, reservationListProjection } from '../../src/contexts/reservations/infrastructure/reservation-list.projection.js';
import { reservations as reservationAggregate } from '../../src/contexts/reservations/reservation.aggregate.js';
import { foldBatch } from '../../src/event-sourcing/projections/fold-projection.js';
import { InlineRowChangeProjection } from '../../src/event-sourcing/projections/inline-row-change.projection.js';
import type { RowChangeProjectionDefinition } from '../../src/event-sourcing/projections/row-change.js';
import type { NewEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { ConcurrencyError } from '../../src/event-sourcing/store/event-store.errors.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { tallies, tallyEventTypes, TALLIES_TABLE } from '../support/tallies.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { personalDataOn } from '../support/personal-data.js';

/**
 * Group commit: appends with side writes that wait while a statement is in flight go
 * together in the next one. Whatever a group holds, each append must end as it would have
 * alone: accepted with its rows, or refused with nothing written; and no write may be lost.
 *
 * With one statement in flight, the first of appends sent at once goes alone and the rest
 * wait for it, so they form one group: their events share a transaction.
 */
const actor = { type: 'human', id: STAFF } as const;

class StampPayload {
  @IsString() note!: string;
}
interface StampRow extends Record<string, unknown> {
  tenant_id: string;
  note: string;
}
/** One row per tenant that every stream of the tenant sets: writes of one row from many streams. */
const lastStamp = {
  name: 'last_stamp',
  handles: ['stamp.made'],
  table: 'last_stamps',
  keyColumns: ['tenant_id'],
  keyOf: (event) => [event.tenantId],
  changeOf: (event) => ({ set: { note: (event.data as { note: string }).note } }),
} satisfies RowChangeProjectionDefinition<StampRow>;

describe('Appends sent together (group commit)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let tenantId: string;
  const reservations = new InlineRowChangeProjection(reservationListChanges);
  const tallyWrites = new InlineRowChangeProjection(tallies);
  const stampWrites = new InlineRowChangeProjection(lastStamp);

  const asNew = (event: { type: string; data: unknown }, eventId?: string): NewEvent => ({ ...event, eventId, metadata: { actor } });
  const stream = (aggregateType: string, aggregateId: string = randomUUID()): StreamId => ({ tenantId, aggregateType, aggregateId });
  const tally = (type: string, by = 0) => asNew({ type: `tally.${type}`, data: { by } });
  const transactionsOf = async (streams: readonly StreamId[]): Promise<string[]> =>
    (
      await db.pool.query<{ transaction_id: string }>(
        `SELECT transaction_id::text FROM events WHERE tenant_id = $1 AND aggregate_id = ANY($2) ORDER BY position`,
        [tenantId, streams.map((s) => s.aggregateId)],
      )
    ).rows.map((row) => row.transaction_id);
  const tallyRows = async () => (await db.pool.query(`SELECT * FROM tallies ORDER BY tally_id`)).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`CREATE TABLE reservations_by_fold (LIKE reservations INCLUDING ALL)`);
    await db.pool.query(TALLIES_TABLE);
    await db.pool.query(`CREATE TABLE last_stamps (tenant_id text PRIMARY KEY, note text NOT NULL)`);
    const registry = new EventRegistry().register(
      ...reservationAggregate.eventDefinitions,
      ...tallyEventTypes,
      { type: 'stamp.made', payload: StampPayload },
    );
    store = new PostgresEventStore(db.pool, registry, undefined, {
      appendGroup: { inFlight: 1, maxAppends: 32 },
      personalData: personalDataOn(db.pool, registry),
    });
  });
  beforeEach(async () => {
    tenantId = randomUUID();
    await db.pool.query(`TRUNCATE reservations, reservations_by_fold, tallies, last_stamps`);
  });
  afterAll(() => db.drop());

  it('commits waiting appends in one transaction, each with the rows the plain fold writes', async () => {
    const streams = Array.from({ length: 12 }, () => stream('reservation'));
    const results = await Promise.all(
      streams.map((s) => store.appendWithWrites(s, [asNew(reservationCreated())], 0, (p) => reservations.writesFor(p))),
    );
    expect(results.map((r) => r.nextExpectedVersion)).toEqual(streams.map(() => 1));
    const transactions = await transactionsOf(streams);
    expect(new Set(transactions.slice(1)).size).toBe(1);
    expect(transactions[0]).not.toBe(transactions[1]);
    // The same events, each result's own, read back as stored.
    for (const [index, s] of streams.entries()) expect(await store.readStream(s)).toEqual(results[index].events);

    const confirmed = await Promise.all(
      streams.map((s) => store.appendWithWrites(s, [asNew(reservationConfirmed())], 1, (p) => reservations.writesFor(p))),
    );
    expect(confirmed.map((r) => r.nextExpectedVersion)).toEqual(streams.map(() => 2));
    const client = await db.pool.connect();
    try {
      for (const s of streams) await foldBatch(reservationListProjection, client, await store.readStream(s), 'reservations_by_fold');
    } finally {
      client.release();
    }
    const rows = async (table: string) => (await db.pool.query(`SELECT * FROM ${table} ORDER BY reservation_id`)).rows;
    expect(await rows('reservations')).toHaveLength(12);
    expect(await rows('reservations')).toEqual(await rows('reservations_by_fold'));
  });

  it('puts, sets and removes rows of many streams in one statement, as the fold does', async () => {
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => store.appendWithWrites(stream('tally', id), [tally('started', 1)], 0, (p) => tallyWrites.writesFor(p))));
    const results = await Promise.all([
      store.appendWithWrites(stream('tally', 'a'), [tally('moved', 5)], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(stream('tally', 'b'), [tally('dropped')], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(stream('tally', 'c'), [tally('moved', 2), tally('moved', 8)], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(stream('tally', 'd'), [tally('dropped'), tally('started', 4)], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(stream('tally', 'e'), [tally('started', 3)], 0, (p) => tallyWrites.writesFor(p)),
    ]);

    expect(results.map((r) => r.nextExpectedVersion)).toEqual([2, 2, 3, 3, 1]);
        // a went alone; b to e waited for it and went together.
    expect(new Set(results.slice(1).flatMap((r) => r.events.map((e) => e.transactionId))).size).toBe(1);
    expect(await tallyRows()).toEqual([
      { tally_id: 'a', total: 5, last_version: 2 },
      { tally_id: 'c', total: 8, last_version: 3 },
      { tally_id: 'd', total: 4, last_version: 3 },
      { tally_id: 'e', total: 3, last_version: 1 },
    ]);
  });

  it('refuses only the append whose stream moved on; the rest of its group commits', async () => {
    const [first, stale, other] = ['f', 's', 'o'].map((id) => stream('tally', id));
    await Promise.all([first, stale, other].map((s) => store.appendWithWrites(s, [tally('started', 1)], 0, (p) => tallyWrites.writesFor(p))));

    const outcomes = await Promise.allSettled([
      store.appendWithWrites(first, [tally('moved', 2)], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(stale, [tally('moved', 9)], 0, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(other, [tally('moved', 3)], 1, (p) => tallyWrites.writesFor(p)),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ expectedVersion: 0, actualVersion: 1 });
    expect(await tallyRows()).toEqual([
      { tally_id: 'f', total: 2, last_version: 2 },
      { tally_id: 'o', total: 3, last_version: 2 },
      { tally_id: 's', total: 1, last_version: 1 },
    ]);
    expect(await store.streamVersion(stale)).toBe(1);
  });

  it('fails only the append whose side write fails; the rest of its group commits', async () => {
    const [first, failing, other] = ['f', 'x', 'o'].map((id) => stream('tally', id));
    await Promise.all([first, failing, other].map((s) => store.appendWithWrites(s, [tally('started', 1)], 0, (p) => tallyWrites.writesFor(p))));

    const outcomes = await Promise.allSettled([
      store.appendWithWrites(first, [tally('moved', 2)], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(failing, [tally('moved', -1)], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(other, [tally('moved', 3)], 1, (p) => tallyWrites.writesFor(p)),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23514' });
    expect(await store.streamVersion(failing)).toBe(1);
    expect(await store.streamVersion(other)).toBe(2);
    expect((await tallyRows()).map((row) => row.total)).toEqual([2, 3, 1]);
  });

  it('fails only the appends holding text PostgreSQL cannot store; the rest of their group commits', async () => {
    // Ada goes alone; the other four wait for her and share a statement, which fails as a whole.
    const guests = ['Ada', 'Bo\u0000b', 'Cy', '\ud800', 'Di'];
    const streams = guests.map(() => stream('reservation'));
    const outcomes = await Promise.allSettled(
      guests.map((guestName, index) =>
        store.appendWithWrites(streams[index], [asNew(reservationCreated({ guestName }))], 0, (p) => reservations.writesFor(p)),
      ),
    );

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const stored = await db.pool.query(`SELECT guest_name FROM reservations WHERE practice_id = $1 ORDER BY guest_name`, [tenantId]);
    expect(stored.rows.map((row) => row.guest_name)).toEqual(['Ada', 'Cy', 'Di']);
  });

  it('lands appends to one stream sent at once in the order they were asked for', async () => {
    const s = stream('tally', 'same');
    await store.appendWithWrites(stream('tally', 'lead'), [tally('started', 1)], 0, (p) => tallyWrites.writesFor(p));
    const results = await Promise.all([
      store.appendWithWrites(stream('tally', 'lead'), [tally('moved', 2)], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(s, [tally('started', 1)], 0, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(s, [tally('moved', 7)], 1, (p) => tallyWrites.writesFor(p)),
    ]);

    expect(results.map((r) => r.nextExpectedVersion)).toEqual([2, 1, 2]);
    const [started, moved] = await transactionsOf([s]);
    expect(started).not.toBe(moved);
    expect(await tallyRows()).toContainEqual({ tally_id: 'same', total: 7, last_version: 2 });
  });

  it('never lets two writes of one row share a statement: the last appended wins, as in the fold', async () => {
    const streams = Array.from({ length: 8 }, (_, index) => stream('stamp', `s${index}`));
    await db.pool.query(`INSERT INTO last_stamps VALUES ($1, 'none')`, [tenantId]);

    await Promise.all(streams.map((s, index) => store.appendWithWrites(s, [asNew({ type: 'stamp.made', data: { note: `n${index}` } })], 0, (p) => stampWrites.writesFor(p))));

    const { rows } = await db.pool.query(`SELECT data->>'note' AS note FROM events WHERE tenant_id = $1 ORDER BY position DESC LIMIT 1`, [tenantId]);
    expect((await db.pool.query(`SELECT note FROM last_stamps WHERE tenant_id = $1`, [tenantId])).rows).toEqual(rows);
    // Each write of the row had a statement of its own.
    expect(new Set(await transactionsOf(streams)).size).toBe(8);
  });

  it('sends appends with caller-chosen event ids alone, so a retry is still told apart', async () => {
    const [a, b] = ['a', 'b'].map((id) => stream('tally', id));
    const id = randomUUID();
    await store.appendWithWrites(a, [tally('started', 1)], 0, (p) => tallyWrites.writesFor(p));
    const [first, retry, other] = await Promise.all([
      store.appendWithWrites(a, [{ ...tally('moved', 2), eventId: id }], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(a, [{ ...tally('moved', 2), eventId: id }], 1, (p) => tallyWrites.writesFor(p)),
      store.appendWithWrites(b, [tally('started', 4)], 0, (p) => tallyWrites.writesFor(p)),
    ]);

    // The two copies race alone: whichever commits first stores, the other is its duplicate.
    expect([first.duplicate, retry.duplicate].sort()).toEqual([false, true]);
    expect(other.duplicate).toBe(false);
    expect(retry.events).toEqual(first.events);
    expect(await store.streamVersion(a)).toBe(2);
  });
});
