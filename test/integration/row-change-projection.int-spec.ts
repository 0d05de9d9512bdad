import { randomUUID } from 'node:crypto';
import {
    reservationCancelled,
  reservationChanged,
  reservationConfirmed,
  reservationCreated,
  STAFF,
} from '../../src/contexts/reservations/domain/reservation.fixtures.js';
import { reservationListChanges, reservationListProjection } from '../../src/contexts/reservations/infrastructure/reservation-list.projection.js';
import { reservations as reservationAggregate } from '../../src/contexts/reservations/reservation.aggregate.js';
import { foldBatch } from '../../src/event-sourcing/projections/fold-projection.js';
import { InlineRowChangeProjection } from '../../src/event-sourcing/projections/inline-row-change.projection.js';
import { foldOfChanges } from '../../src/event-sourcing/projections/row-change.js';
import type { NewEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { ConcurrencyError } from '../../src/event-sourcing/store/event-store.errors.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { tallies, tallyEventTypes, TALLIES_TABLE } from '../support/tallies.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { personalDataOn } from '../support/personal-data.js';

/**
 * A row-change projection is written by the append's own statement. Its rows must be what the
 * plain fold of the same events writes (here into a shadow table), and it must commit with
 * the events or not at all: a refused or retried append writes no row.
 */
const SHADOW = 'reservations_by_fold';
const actor = { type: 'human', id: STAFF } as const;


describe('A row-change projection written by the append statement', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  // Events cannot be truncated: each test appends to streams of its own.
  let STREAM: StreamId;
  let tallyStream: (id: string) => StreamId;
  const reservations = new InlineRowChangeProjection(reservationListChanges);

  const at = (day: number): Date => new Date(`2027-03-0${day}T10:00:00.000Z`);
  const asNew = (event: { type: string; data: unknown }, day: number, eventId?: string): NewEvent => ({
    ...event,
    eventId,
    metadata: { actor },
    occurredAt: at(day),
  });
  const rowsOf = async (table: string, order = 'reservation_id') => (await db.pool.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
  const eventCount = async (): Promise<number> =>
    (await db.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [STREAM.tenantId])).rows[0].n;

  /** Appends with the inline writes, then folds the stored stream into the shadow table the plain way. */
  const appendBoth = async (events: readonly NewEvent[], expectedVersion: number) => {
    const result = await store.appendWithWrites(STREAM, events, expectedVersion, (pending) => reservations.writesFor(pending));
    const stored = await store.readStream(STREAM);
    const client = await db.pool.connect();
    try {
      await client.query(`TRUNCATE ${SHADOW}`);
      await foldBatch(reservationListProjection, client, stored, SHADOW);
    } finally {
      client.release();
    }
    return result;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`CREATE TABLE ${SHADOW} (LIKE reservations INCLUDING ALL)`);
    await db.pool.query(TALLIES_TABLE);
    const registry = new EventRegistry().register(
      ...reservationAggregate.eventDefinitions,
      ...tallyEventTypes,
    );
    store = new PostgresEventStore(db.pool, registry, undefined, { personalData: personalDataOn(db.pool, registry) });
  });
  beforeEach(async () => {
    const tenantId = randomUUID();
    STREAM = { tenantId, aggregateType: 'reservation', aggregateId: randomUUID() };
    tallyStream = (id) => ({ tenantId, aggregateType: 'tally', aggregateId: id });
    await db.pool.query(`TRUNCATE reservations, tallies, ${SHADOW}`);
  });
  afterAll(() => db.drop());

  it('writes the fold’s row for a create', async () => {
    await appendBoth([asNew(reservationCreated(), 1)], 0);
    expect(await rowsOf('reservations')).toHaveLength(1);
    expect(await rowsOf('reservations')).toEqual(await rowsOf(SHADOW));
  });

  it('writes the fold’s row for a create and later events in one append', async () => {
    await appendBoth([asNew(reservationCreated(), 1), asNew(reservationConfirmed(), 2), asNew(reservationCancelled(), 3)], 0);
    expect(await rowsOf('reservations')).toEqual(await rowsOf(SHADOW));
    expect((await rowsOf('reservations'))[0]).toMatchObject({ status: 'cancelled', version: 3, cancel_reason: expect.any(String) });
  });

  it('changes only the columns an event sets, on the stored row', async () => {
    await appendBoth([asNew(reservationCreated(), 1)], 0);
    await appendBoth([asNew(reservationConfirmed(), 2)], 1);
    await appendBoth([asNew(reservationChanged({ checkInDate: '2027-05-01', nights: 4 }), 3)], 2);
    expect(await rowsOf('reservations')).toEqual(await rowsOf(SHADOW));
    expect((await rowsOf('reservations'))[0]).toMatchObject({ status: 'confirmed', nights: 4, check_out_date: '2027-05-05', version: 3 });
  });

  it('writes no row for events on a reservation that has none, as the fold does', async () => {
    await appendBoth([asNew(reservationConfirmed(), 1)], 0);
    expect(await eventCount()).toBe(1);
    expect(await rowsOf('reservations')).toEqual([]);
    expect(await rowsOf(SHADOW)).toEqual([]);
  });

  it('writes nothing when the append is refused for its expected version', async () => {
    await appendBoth([asNew(reservationCreated(), 1)], 0);
    const before = await rowsOf('reservations');

    await expect(store.appendWithWrites(STREAM, [asNew(reservationCancelled(), 2)], 0, (p) => reservations.writesFor(p))).rejects.toThrow(
      ConcurrencyError,
    );

    expect(await eventCount()).toBe(1);
    expect(await rowsOf('reservations')).toEqual(before);
  });

  it('writes nothing again for a retried append (same event ids), even with other values', async () => {
    const id = '00000000-0000-4000-8000-00000000c0c0';
    await appendBoth([asNew(reservationCreated(), 1)], 0);
    await appendBoth([asNew(reservationConfirmed(), 2, id)], 1);
    const before = await rowsOf('reservations');

    const retry = await store.appendWithWrites(STREAM, [asNew(reservationConfirmed(), 5, id)], 1, (p) => reservations.writesFor(p));

    expect(retry.duplicate).toBe(true);
    expect(await eventCount()).toBe(2);
    expect(await rowsOf('reservations')).toEqual(before);
  });

  it('stores no event when its row write fails', async () => {
    const tally = tallyStream('a');
    const writes = new InlineRowChangeProjection(tallies);
    await store.appendWithWrites(tally, [asNew({ type: 'tally.started', data: { by: 2 } }, 1)], 0, (p) => writes.writesFor(p));

    await expect(
      store.appendWithWrites(tally, [asNew({ type: 'tally.moved', data: { by: -1 } }, 2)], 1, (p) => writes.writesFor(p)),
    ).rejects.toMatchObject({ code: '23514' });

    expect(await eventCount()).toBe(1);
    expect(await rowsOf('tallies', 'tally_id')).toEqual([{ tally_id: 'a', total: 2, last_version: 1 }]);
  });

  it('puts, sets and removes rows as the fold does, several changes to one row combined', async () => {
    const writes = new InlineRowChangeProjection(tallies);
    const stream = tallyStream;
    const tally = (type: string, by = 0) => ({ type: `tally.${type}`, data: { by } });
    const appends: [string, { type: string; data: unknown }[]][] = [
      ['a', [tally('started', 1), tally('moved', 5), tally('moved', 7)]],
      ['b', [tally('started', 1), tally('dropped')]],
      ['c', [tally('started', 3)]],
      ['c', [tally('dropped'), tally('moved', 9)]],
      ['d', [tally('started', 1), tally('dropped'), tally('started', 4), tally('moved', 6)]],
    ];
    const versions = new Map<string, number>();
    for (const [id, events] of appends) {
      const version = versions.get(id) ?? 0;
      await store.appendWithWrites(stream(id), events.map((e) => asNew(e, 1)), version, (p) => writes.writesFor(p));
      versions.set(id, version + events.length);
    }

    // Each stream as stored, folded (streams, not the global log: its fence may hold back while other tests write).
    const folded = await Promise.all(
      [...versions.keys()].sort().map(async (id) => (await store.readStream(stream(id))).reduce(foldOfChanges(tallies).evolve, null)),
    );
    const expected = folded.filter((row) => row !== null);
    expect(await rowsOf('tallies', 'tally_id')).toEqual(expected);
    expect(expected).toEqual([
      { tally_id: 'a', total: 7, last_version: 3 },
      { tally_id: 'd', total: 6, last_version: 4 },
    ]);
  });
});
