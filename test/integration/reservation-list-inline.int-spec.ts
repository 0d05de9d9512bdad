import type { PoolClient } from 'pg';
import { reservationListProjection } from '../../src/contexts/reservations/infrastructure/reservation-list.projection.js';
import { ReservationListInlineProjection } from '../../src/contexts/reservations/infrastructure/reservation-list.inline.js';
import {
  PRACTICE_ID,
  RESERVATION_ID,
  reservationCancelled,
  reservationConfirmed,
  reservationCreated,
  STAFF,
} from '../../src/contexts/reservations/domain/reservation.fixtures.js';
import type { ReservationEvent } from '../../src/contexts/reservations/domain/reservation.events.js';
import { foldBatch } from '../../src/event-sourcing/projections/fold-projection.js';
import type { RecordedEvent } from '../../src/event-sourcing/store/event-envelope.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The inline reservation list skips the fold's SELECT for a batch that starts with the
 * creation; whatever path it takes, its rows must be the plain fold's, row for row.
 */
const SHADOW = 'reservations_by_fold';

const recorded = (event: ReservationEvent, version: number, aggregateId = RESERVATION_ID): RecordedEvent => ({
  ...event,
  tenantId: PRACTICE_ID,
  aggregateType: 'reservation',
  aggregateId,
  position: version,
  eventId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`,
  version,
  schemaVersion: 1,
  metadata: { actor: { type: 'human', id: STAFF } },
  occurredAt: new Date(`2027-03-0${version}T10:00:00.000Z`),
  recordedAt: new Date(`2027-03-0${version}T10:00:00.000Z`),
  transactionId: String(1000 + version),
});

describe('The inline reservation list', () => {
  let db: TestDatabase;
  const inline = new ReservationListInlineProjection();

  const inTransaction = async (work: (client: PoolClient) => Promise<void>) => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  /** Projects `events` both ways: inline into `reservations`, by the plain fold into the shadow table. */
  const projectBoth = (events: readonly RecordedEvent[]) =>
    inTransaction(async (client) => {
      await inline.project(client, events);
      await foldBatch(reservationListProjection, client, events, SHADOW);
    });
  const rowsOf = async (table: string) => (await db.pool.query(`SELECT * FROM ${table} ORDER BY reservation_id`)).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`CREATE TABLE ${SHADOW} (LIKE reservations INCLUDING ALL)`);
  });
  beforeEach(() => db.pool.query(`TRUNCATE reservations, ${SHADOW}`));
  afterAll(() => db.drop());

  it('writes the fold’s row for a create', async () => {
    await projectBoth([recorded(reservationCreated(), 1)]);
    expect(await rowsOf('reservations')).toHaveLength(1);
    expect(await rowsOf('reservations')).toEqual(await rowsOf(SHADOW));
  });

  it('writes the fold’s row for a create and later events in one batch', async () => {
    await projectBoth([recorded(reservationCreated(), 1), recorded(reservationConfirmed(), 2), recorded(reservationCancelled(), 3)]);
    expect(await rowsOf('reservations')).toEqual(await rowsOf(SHADOW));
    expect((await rowsOf('reservations'))[0]).toMatchObject({ status: 'cancelled', version: 3 });
  });

  it('folds later events onto the stored row', async () => {
    await projectBoth([recorded(reservationCreated(), 1)]);
    await projectBoth([recorded(reservationConfirmed(), 2)]);
    expect(await rowsOf('reservations')).toEqual(await rowsOf(SHADOW));
    expect((await rowsOf('reservations'))[0]).toMatchObject({ status: 'confirmed', version: 2 });
  });

  it('replaces a row left over under the same key, as the fold does', async () => {
    await projectBoth([recorded(reservationCreated(), 1), recorded(reservationCancelled(), 2)]);
    await projectBoth([recorded(reservationCreated({ guestName: 'Grace Hopper' }), 1)]);
    expect(await rowsOf('reservations')).toEqual(await rowsOf(SHADOW));
    expect((await rowsOf('reservations'))[0]).toMatchObject({ status: 'pending', guest_name: 'Grace Hopper' });
  });

  it('folds a batch of several streams as the fold does', async () => {
    const other = '00000000-0000-4000-8000-0000000000ff';
    await projectBoth([recorded(reservationCreated(), 1), recorded(reservationCreated(), 1, other)]);
    expect(await rowsOf('reservations')).toHaveLength(2);
    expect(await rowsOf('reservations')).toEqual(await rowsOf(SHADOW));
  });
});
